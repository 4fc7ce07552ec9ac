/**
 * Test helper: regsync's documented example config (the shape of
 * regclient-surface.md §4.5, written for this project), with the hosts and
 * image names of a test filled in.
 *
 * @module
 */

/** Hosts and names of the example. */
export interface ExampleNames {
  /** Registry the first creds entry names. */
  mirror: string;
  /** Requests per second of the mirror (the example's 20; tests may raise it). */
  reqPerSec?: number;
  /** Extra creds entries (YAML list items, indented by two spaces). */
  moreCreds: string;
  /** The image step's source and target. */
  image: [string, string];
  /** The repository step's source and target. */
  repo: [string, string];
  /** The registry step's source and target. */
  registry: [string, string];
}

/**
 * Builds the example config.
 *
 * @param n hosts and names
 * @returns the YAML text
 */
export function regsyncExample(n: ExampleNames): string {
  return `version: 1
creds:
  - registry: ${n.mirror}
    tls: disabled
    reqPerSec: ${n.reqPerSec ?? 20}
${n.moreCreds}defaults:
  parallel: 3
  interval: 6h
  ratelimit: {min: 50, retry: 10m}
  backup: 'prev-{{ .Ref.Tag }}'
x-std-tags: &std-tags
  tags:
    semverRange: [">=1.2.0 <2"]
    deny: [".*-rc.*"]
sync:
  - {source: ${n.image[0]}, target: ${n.image[1]}, type: image, schedule: "0 3 * * *"}
  - <<: *std-tags
    source: ${n.repo[0]}
    target: ${n.repo[1]}
    type: repository
    referrers: true
    digestTags: true
    fastCheck: true
  - {source: ${n.registry[0]}, target: ${
    n.registry[1]
  }, type: registry, repos: {allow: ["team-a/.*"]}}
`;
}
