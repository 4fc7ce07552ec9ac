/**
 * The page of one manifest in the registry browser: pull references, an
 * index's platforms or an image's config and layers, the referrers tree and
 * the manifest itself.
 *
 * @module
 */
import { raw } from "hono/html";
import type { ReferrerTreeNode } from "../../ops/referrer_query.ts";
import type { Descriptor } from "../../types/descriptor.ts";
import {
  artifactTypeOf,
  type ImageConfigJson,
  isImage,
  isIndex,
  type Manifest,
  subjectOf,
} from "../../types/manifest.ts";
import { formatPlatform } from "../../types/platform.ts";
import {
  type Html,
  humanSize,
  layerHref,
  manifestHref,
  Page,
  repoHref,
  shortTime,
  Table,
} from "./_views.tsx";

/** What {@link ManifestPage} shows. */
export interface ManifestPageProps {
  /** Repository. */
  repo: string;
  /** The tag or digest asked for. */
  reference: string;
  /** The manifest. */
  manifest: Manifest;
  /** The image config, for an image. */
  config: ImageConfigJson | undefined;
  /** Registry host as the browser reached it (`host:port`). */
  host: string;
  /** Whether the browser reached the registry over plain HTTP (ocictl then needs `tls=disabled`). */
  plainHttp: boolean;
  /** Index children and referrers, recursively. */
  tree: ReferrerTreeNode;
}

function _isTarLayer(mediaType: string): boolean {
  return /(?:^|[.+])tar(?:$|[.+])/.test(mediaType) || mediaType.includes("rootfs.diff.tar");
}

function _Annotations(props: { values: Record<string, string> | undefined }): Html {
  const entries = Object.entries(props.values ?? {});
  if (entries.length === 0) return raw("");
  return (
    <dl class="kv">
      {entries.map(([k, v]) => (
        <>
          <dt class="mono">{k}</dt>
          <dd>{v}</dd>
        </>
      ))}
    </dl>
  );
}

function _TreeNode(
  props: { repo: string; node: ReferrerTreeNode; root?: boolean; referrer?: boolean },
): Html {
  const n = props.node;
  const annotations = "annotations" in n.manifest.json
    ? (n.manifest.json.annotations as Record<string, string> | undefined)
    : undefined;
  return (
    <li>
      {props.root
        ? <strong>this manifest</strong>
        : (
          <a class="mono" href={manifestHref(props.repo, n.manifest.digest)}>
            {n.manifest.digest.slice(0, 19)}…
          </a>
        )} {n.platform !== undefined ? <span class="badge">{formatPlatform(n.platform)}</span> : ""}
      {n.artifactType !== undefined ? <span class="badge">{n.artifactType}</span> : ""}
      {props.referrer ? <_Annotations values={annotations} /> : ""}
      {n.children.length + n.referrers.length === 0 ? "" : (
        <ul class="tree">
          {n.children.map((c) => <_TreeNode key={c.manifest.digest} repo={props.repo} node={c} />)}
          {n.referrers.map((c) => (
            <_TreeNode key={c.manifest.digest} repo={props.repo} node={c} referrer />
          ))}
        </ul>
      )}
    </li>
  );
}

function _countReferrers(n: ReferrerTreeNode): number {
  let count = n.referrers.length;
  for (const c of [...n.children, ...n.referrers]) count += _countReferrers(c);
  return count;
}

function _Config(props: { config: ImageConfigJson }): Html {
  const c = props.config;
  const rc = (c.config ?? {}) as Record<string, unknown>;
  const list = (v: unknown) => Array.isArray(v) ? v.map(String) : [];
  const labels = (rc.Labels ?? {}) as Record<string, string>;
  const history = (c.history ?? []) as Record<string, unknown>[];
  const env = list(rc.Env);
  return (
    <>
      <h2>Config</h2>
      <dl class="kv">
        <dt>Created</dt>
        <dd>{shortTime(c.created)}</dd>
        <dt>Platform</dt>
        <dd>
          {formatPlatform({
            os: c.os,
            architecture: c.architecture,
            ...(c.variant ? { variant: c.variant } : {}),
          })}
        </dd>
        {rc.Entrypoint
          ? (
            <>
              <dt>Entrypoint</dt>
              <dd class="mono">{JSON.stringify(rc.Entrypoint)}</dd>
            </>
          )
          : ""}
        <dt>Cmd</dt>
        <dd class="mono">{rc.Cmd === undefined ? "" : JSON.stringify(rc.Cmd)}</dd>
        {rc.WorkingDir
          ? (
            <>
              <dt>Working dir</dt>
              <dd class="mono">{String(rc.WorkingDir)}</dd>
            </>
          )
          : ""}
        {rc.User
          ? (
            <>
              <dt>User</dt>
              <dd class="mono">{String(rc.User)}</dd>
            </>
          )
          : ""}
      </dl>
      {env.length > 0
        ? (
          <>
            <h2>Environment</h2>
            <pre>{env.join("\n")}</pre>
          </>
        )
        : ""}
      {Object.keys(labels).length > 0
        ? (
          <>
            <h2>Labels</h2>
            <_Annotations values={labels} />
          </>
        )
        : ""}
      {history.length > 0
        ? (
          <>
            <h2>History</h2>
            <Table columns={["Created", "Created by"]}>
              {history.map((h) => (
                <tr>
                  <td class="muted">{shortTime(h.created as string | undefined)}</td>
                  <td class="mono">
                    {String(h.created_by ?? "")}
                    {h.empty_layer ? <span class="badge">empty layer</span> : ""}
                  </td>
                </tr>
              ))}
            </Table>
          </>
        )
        : ""}
    </>
  );
}

function _Layers(props: { repo: string; layers: Descriptor[] }): Html {
  return (
    <>
      <h2>Layers</h2>
      <Table cards columns={["#", "Digest", "wide:Media type", "num:Size"]}>
        {props.layers.map((l, i) => (
          <tr>
            <td class="num">{i + 1}</td>
            <td class="digest mono">
              {_isTarLayer(l.mediaType)
                ? <a href={layerHref(props.repo, l.digest)}>{l.digest}</a>
                : l.digest}
              <_Annotations values={l.annotations} />
            </td>
            <td class="wide mono">{l.mediaType}</td>
            <td class="num" title={`${l.size} bytes`}>{humanSize(l.size)}</td>
          </tr>
        ))}
      </Table>
    </>
  );
}

/**
 * The page of one manifest.
 *
 * @param props repository, reference, manifest, config, host and tree
 * @returns the page
 */
export function ManifestPage(props: ManifestPageProps): Html {
  const { repo, manifest: m } = props;
  const byDigest = props.reference.includes(":");
  const tagRef = `${props.host}/${repo}:${props.reference}`;
  const digestRef = `${props.host}/${repo}@${m.digest}`;
  const last = repo.split("/").pop() ?? repo;
  const hostFlag = props.plainHttp ? `--host reg=${props.host},tls=disabled ` : "";
  const copyLine = `ocictl ${hostFlag}image copy ${
    byDigest ? digestRef : tagRef
  } ocidir://${last}:${byDigest ? "latest" : props.reference}`;
  let pretty: string;
  try {
    pretty = JSON.stringify(JSON.parse(new TextDecoder().decode(m.raw)), null, 2);
  } catch {
    pretty = new TextDecoder().decode(m.raw);
  }
  const referrers = _countReferrers(props.tree);
  const artifactType = artifactTypeOf(m);
  const subject = subjectOf(m);
  return (
    <Page
      title={`${repo}${byDigest ? "@" : ":"}${props.reference}`}
      crumbs={[
        { label: "repositories", href: "/ui/" },
        { label: repo, href: repoHref(repo) },
        { label: byDigest ? `${props.reference.slice(0, 19)}…` : props.reference },
      ]}
    >
      <h1>
        {repo}
        <span class="muted">{byDigest ? "@" : ":"}</span>
        {props.reference}
      </h1>
      <dl class="kv">
        <dt>Digest</dt>
        <dd class="mono">{m.digest}</dd>
        <dt>Media type</dt>
        <dd class="mono">{m.mediaType}</dd>
        <dt>Size</dt>
        <dd>{humanSize(m.size)}</dd>
        {artifactType !== undefined
          ? (
            <>
              <dt>Artifact type</dt>
              <dd class="mono">{artifactType}</dd>
            </>
          )
          : ""}
        {subject !== undefined
          ? (
            <>
              <dt>Subject</dt>
              <dd class="mono">
                <a href={manifestHref(repo, subject.digest)}>{subject.digest}</a>
              </dd>
            </>
          )
          : ""}
      </dl>
      <h2>Pull</h2>
      {byDigest ? "" : <code class="copy">{tagRef}</code>}
      <code class="copy">{digestRef}</code>
      <code class="copy">{copyLine}</code>
      {isIndex(m)
        ? (
          <>
            <h2>Platforms</h2>
            <Table cards columns={["Platform", "Digest", "wide:Media type", "num:Size"]}>
              {m.json.manifests.map((d) => (
                <tr>
                  <td>
                    <a href={manifestHref(repo, d.digest)}>
                      {d.platform === undefined ? "(none)" : formatPlatform(d.platform)}
                    </a>
                  </td>
                  <td class="digest mono">{d.digest}</td>
                  <td class="wide mono">{d.artifactType ?? d.mediaType}</td>
                  <td class="num">{humanSize(d.size)}</td>
                </tr>
              ))}
            </Table>
          </>
        )
        : ""}
      {props.config !== undefined ? <_Config config={props.config} /> : ""}
      {isImage(m) ? <_Layers repo={repo} layers={m.json.layers} /> : ""}
      {isImage(m) && m.json.annotations !== undefined
        ? (
          <>
            <h2>Annotations</h2>
            <_Annotations values={m.json.annotations} />
          </>
        )
        : ""}
      <h2>Referrers ({referrers})</h2>
      {referrers === 0 && props.tree.children.length === 0
        ? <p class="muted">No signature, SBOM or attestation points at this manifest.</p>
        : (
          <ul class="tree">
            <_TreeNode repo={repo} node={props.tree} root />
          </ul>
        )}
      <h2>Manifest</h2>
      <pre>{pretty}</pre>
    </Page>
  );
}
