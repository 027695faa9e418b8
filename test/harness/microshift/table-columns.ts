// The columns a Kubernetes 1.28 API server prints for each resource the simulator serves.
//
// What it simulates: the column names, types and priorities of the apiserver's table printer
// (priority 0 is what `kubectl get` shows, 1 what `-o wide` adds), in the order it prints them,
// so `kubectl get` and `oc get` show the headers and the cell positions scripts parse
// (MicroShift 4.15's check takes STATUS as the 4th field of `oc get pods -A --no-headers`). What
// it leaves out: the long OpenAPI descriptions (each column has a short one of our own).
import type { Resource } from './world.js';

export interface ColumnDefinition {
  name: string;
  type: 'string' | 'integer';
  format: string;
  description: string;
  priority: number;
}

const col = (
  name: string,
  description: string,
  type: ColumnDefinition['type'] = 'string',
  priority = 0,
  format = '',
): ColumnDefinition => ({ name, type, format, description, priority });

const nameColumn = col('Name', 'Name must be unique within a namespace.', 'string', 0, 'name');
const age = col('Age', 'Time since the object was created.');
const workloadWide = [
  col('Containers', 'Names of each container in the template.', 'string', 1),
  col('Images', 'Images referenced by each container in the template.', 'string', 1),
  col('Selector', 'The label query over pods that should match the replicas count.', 'string', 1),
];

export const columnsOf: Record<Resource, ColumnDefinition[]> = {
  pods: [
    nameColumn,
    col('Ready', 'The aggregate readiness state of this pod for accepting traffic.'),
    col('Status', 'The aggregate status of the containers in this pod.'),
    col(
      'Restarts',
      'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.',
    ),
    age,
    col('IP', 'IP address allocated to the pod.', 'string', 1),
    col('Node', 'Name of the node the pod is assigned to.', 'string', 1),
    col('Nominated Node', 'Name of the node the scheduler nominated for preemption.', 'string', 1),
    col('Readiness Gates', 'Extra conditions that must be true for the pod to be ready.', 'string', 1),
  ],
  deployments: [
    nameColumn,
    col('Ready', 'Number of ready pods out of the desired ones.'),
    col('Up-to-date', 'Total number of pods running the latest template.', 'integer'),
    col('Available', 'Total number of available pods (ready for at least minReadySeconds).', 'integer'),
    age,
    ...workloadWide,
  ],
  daemonsets: [
    nameColumn,
    col('Desired', 'The number of nodes that should be running the daemon pod.', 'integer'),
    col('Current', 'The number of nodes running at least one daemon pod that should.', 'integer'),
    col('Ready', 'The number of nodes whose daemon pod is ready.', 'integer'),
    col('Up-to-date', 'The number of nodes running the updated daemon pod.', 'integer'),
    col('Available', 'The number of nodes whose daemon pod is available.', 'integer'),
    col('Node Selector', 'The node labels a node must have to run the daemon pod.'),
    age,
    ...workloadWide,
  ],
  replicasets: [
    nameColumn,
    col('Desired', 'Number of desired pods.', 'integer'),
    col('Current', 'Number of pods that exist.', 'integer'),
    col('Ready', 'Number of ready pods.', 'integer'),
    age,
    ...workloadWide,
  ],
  statefulsets: [
    nameColumn,
    col('Ready', 'Number of ready pods out of the desired ones.'),
    age,
    ...workloadWide.slice(0, 2),
  ],
  namespaces: [nameColumn, col('Status', 'The status of the namespace.'), age],
  nodes: [
    nameColumn,
    col('Status', 'The status of the node.'),
    col('Roles', 'The roles of the node.'),
    age,
    col('Version', 'Kubelet version reported by the node.'),
    col('Internal-IP', 'The node’s internal IP address.', 'string', 1),
    col('External-IP', 'The node’s external IP address.', 'string', 1),
    col('OS-Image', 'OS image reported by the node.', 'string', 1),
    col('Kernel-Version', 'Kernel version reported by the node.', 'string', 1),
    col('Container-Runtime', 'Container runtime and version reported by the node.', 'string', 1),
  ],
  events: [
    col('Last Seen', 'When the event was last seen, with the count and span when it repeated.'),
    col('Type', 'Type of this event (Normal, Warning).'),
    col('Reason', 'Why the action was taken.'),
    col('Object', 'The object this event is about.'),
    col('Subobject', 'The part of the object this event is about.', 'string', 1),
    col('Source', 'The component reporting this event.', 'string', 1),
    col('Message', 'A human-readable description of the status of this operation.'),
    col('First Seen', 'When the event was first seen.', 'string', 1),
    col('Count', 'How many times the event occurred.', 'integer', 1),
    col('Name', 'Name of the event object.', 'string', 1, 'name'),
  ],
};
