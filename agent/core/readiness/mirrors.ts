// Registry mirrors as containers-registries.conf(5) declares them: `[[registry.mirror]]` tables
// under a registry, or an inline `mirror = [{ location = "…" }, …]` list. Their hosts are what an
// air-gapped device pulls from, so the wanted checks look for their CAs and pull-secret entries,
// and preflight takes any mirror as the sign of a site without registry access.
/**
 * Hosts of the mirrors in a registries.conf drop-in: locations under [[registry.mirror]] or in an
 * inline `mirror = [...]` list. The `location` of a [[registry]] itself is the registry being
 * mirrored (quay.io), whose CA is public: asking for one would be a false warning.
 */
export function mirrorHosts(text: string): string[] {
  const hosts: string[] = [];
  let section = '';
  let inlineList = false;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '');
    const header = /^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*$/.exec(line);
    if (header) {
      section = header[1] as string;
      inlineList = false;
      continue;
    }
    if (/^\s*mirror\s*=/.test(line)) inlineList = true;
    if (section === 'registry.mirror' || inlineList)
      for (const [, host] of line.matchAll(/location\s*=\s*"([^/"]+)/g)) hosts.push(host as string);
    if (inlineList && /\]\s*$/.test(line)) inlineList = false;
  }
  return hosts;
}
