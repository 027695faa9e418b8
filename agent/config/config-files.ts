// What reading the configuration needs from the file system. The host's fs adapter has this
// shape, and so does anything a test hands in; config/ itself stays clear of host/.
export interface ConfigFiles {
  /** undefined when the file does not exist. */
  readText(path: string): Promise<string | undefined>;
  list(path: string): Promise<string[]>;
  /** undefined when nothing is there. */
  info(path: string): Promise<{ isDirectory: boolean } | undefined>;
  exists(path: string): Promise<boolean>;
}
