/**
 * Config steps of `image mod` (regclient's `stepsOCIConfig`): labels, env,
 * user, working dir, author, command, entrypoint, ports, volumes, platform,
 * build args and config times, each on regclient's `v1.Image` struct.
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import type { GoTime } from "../gotypes/go_time.ts";
import { GoEmptyStruct } from "../gotypes/go_struct.ts";
import { parseTime } from "../gotypes/go_time_parse.ts";
import { GoPlatform } from "../gotypes/oci_platform.ts";
import type { GoImage } from "../gotypes/oci_image.ts";
import type { Platform } from "../types/descriptor.ts";
import { platformMatches } from "../types/platform.ts";
import { commonName } from "../types/ref.ts";
import { type ModManifest, platformOf } from "./image_graph.ts";
import {
  matchesFilter,
  type PlatformFilter,
  PlatformFilters,
  type StepContext,
} from "./manifest_steps.ts";
import type { ModStep } from "./mod_step.ts";
import { loadBaseImage } from "./rebase.ts";
import type { TimeOption } from "./time_option.ts";

/** A step of the config phase: changes the image's config, says whether it did. */
export type ConfigStep = (m: ModManifest, image: GoImage) => Promise<boolean> | boolean;

/** Go's RFC 3339 layout. */
export const RFC3339_LAYOUT = "2006-01-02T15:04:05Z07:00";

/** A time option whose time is known once a label was read. */
export interface ResolvedTime {
  /** The option. */
  option: TimeOption;
  /** The time to set (from `set=`, or from the label). */
  set?: GoTime | undefined;
}

/**
 * Resolves `from-label=` against a config (regclient keeps the last one read).
 *
 * @param t the option
 * @param image the config
 * @param where names the image in errors
 * @returns nothing; `t.set` is filled
 * @throws {UsageError} when the label is missing, not a time, or conflicts with `set=`
 */
export function resolveTimeLabel(t: ResolvedTime, image: GoImage, where: string): void {
  const label = t.option.fromLabel;
  if (label === undefined || label === "") return;
  const text = image.Config.Labels.get(label);
  if (text === undefined) {
    throw new UsageError(`Cannot take the time from label "${label}" of "${where}": no such label`);
  }
  let tNew: GoTime;
  try {
    tNew = parseTime(RFC3339_LAYOUT, text);
  } catch (err) {
    throw new UsageError(
      `Cannot take the time from label "${label}" of "${where}": "${text}" is not an RFC 3339 time`,
      { cause: err },
    );
  }
  if (t.option.set !== undefined && t.option.set.date.getTime() !== tNew.UnixMilli()) {
    throw new UsageError(
      `Cannot set the time of "${where}": set=${t.option.set.text} conflicts with label "${label}" (${text})`,
    );
  }
  t.set = tNew;
}

/**
 * Makes the resolved form of a time option (`set=` parsed as Go does).
 *
 * @param option the option
 * @returns the resolved time holder
 */
export function resolvedTime(option: TimeOption): ResolvedTime {
  return {
    option,
    set: option.set === undefined ? undefined : parseTime(RFC3339_LAYOUT, option.set.text),
  };
}

function _timeMod(t: GoTime, set: GoTime, after: Date | undefined): GoTime | undefined {
  if (after !== undefined && !(t.UnixNano() > BigInt(after.getTime()) * 1_000_000n)) {
    return undefined;
  }
  return t.Equal(set) ? undefined : set;
}

function _configTime(rt: ResolvedTime, ctx: StepContext): ConfigStep {
  return async (m, image) => {
    const where = commonName(ctx.source);
    resolveTimeLabel(rt, image, where);
    const set = rt.set!;
    const opt = rt.option;
    let start = 0;
    if ((opt.baseLayers ?? 0) > 0) {
      let layers = 0;
      for (const [i, h] of image.History.entries()) {
        if (!h.EmptyLayer) layers++;
        if (layers === opt.baseLayers) {
          start = i + 1;
          break;
        }
      }
      if (start === 0) start = image.History.length;
    }
    if (opt.baseRef !== undefined) {
      const base = await loadBaseImage(ctx.client, opt.baseRef, platformOf(m)!, ctx.signal);
      for (const [i, h] of base.image.History.entries()) {
        const cur = image.History[i];
        if (
          cur === undefined || cur.Author !== h.Author || cur.Comment !== h.Comment ||
          cur.CreatedBy !== h.CreatedBy || cur.EmptyLayer !== h.EmptyLayer ||
          (cur.Created === null) !== (h.Created === null) ||
          (cur.Created !== null && h.Created !== null && !cur.Created.Equal(h.Created))
        ) break;
        start = i + 1;
      }
    }
    let changed = false;
    if (image.Created !== null) {
      const t = _timeMod(image.Created, set, opt.after);
      if (t !== undefined) {
        image.Created = t;
        changed = true;
      }
    }
    for (let i = start; i < image.History.length; i++) {
      const h = image.History[i]!;
      if (h.Created === null) continue;
      const t = _timeMod(h.Created, set, opt.after);
      if (t !== undefined) {
        h.Created = t;
        changed = true;
      }
    }
    return changed;
  };
}

function _sameStrings(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function _filtered(filter: PlatformFilter, step: ConfigStep): ConfigStep {
  return (m, image) => matchesFilter(m, filter) ? step(m, image) : false;
}

function _set(
  kind: "expose-add" | "expose-rm" | "volume-add" | "volume-rm",
  value: string,
): ConfigStep {
  return (_m, image) => {
    const map = kind.startsWith("expose") ? image.Config.ExposedPorts : image.Config.Volumes;
    const add = kind.endsWith("add");
    if (add === map.has(value)) return false;
    if (add) map.set(value, new GoEmptyStruct());
    else map.delete(value);
    return true;
  };
}

function _buildArgRm(arg: string, pattern: string): ConfigStep {
  const quoted = arg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const argRe = new RegExp(`^ARG ${quoted}(=.*|)$`, "s");
  const runRe = new RegExp(`^RUN \\|([0-9]+) (.*)${quoted}=${pattern}(.*)$`, "s");
  return (_m, image) => {
    let changed = false;
    for (let i = image.History.length - 1; i >= 0; i--) {
      const h = image.History[i]!;
      const match = runRe.exec(h.CreatedBy);
      if (argRe.test(h.CreatedBy) && h.EmptyLayer) {
        image.History.splice(i, 1);
        changed = true;
      } else if (match !== null) {
        const count = Number(match[1]);
        h.CreatedBy = count === 1 && match[2] === ""
          ? `RUN ${match[3]}`
          : `RUN |${count - 1} ${match[2]}${match[3]}`;
        changed = true;
      }
    }
    return changed;
  };
}

function _platformStep(p: Platform): ConfigStep {
  return (_m, image) => {
    const have: Platform = {
      os: image.Platform.OS,
      architecture: image.Platform.Architecture,
      ...(image.Platform.Variant !== "" ? { variant: image.Platform.Variant } : {}),
    };
    if (platformMatches(p, have) && platformMatches(have, p)) return false;
    const g = new GoPlatform();
    g.OS = p.os;
    g.Architecture = p.architecture;
    g.Variant = p.variant ?? "";
    g.OSVersion = p["os.version"] ?? "";
    g.OSFeatures = [...(p["os.features"] ?? [])];
    image.Platform = g;
    return true;
  };
}

/**
 * Builds the config steps of a step list, in order. Time options with
 * `from-label=` for layers also resolve here, as in regclient.
 *
 * @param steps every step
 * @param ctx client and names
 * @param layerTimes the resolved times of the layer time steps (filled from labels)
 * @returns the config steps and the platform filters to check afterwards
 */
export function configSteps(
  steps: readonly ModStep[],
  ctx: StepContext,
  layerTimes: ReadonlyMap<ModStep, ResolvedTime>,
): { steps: ConfigStep[]; filters: PlatformFilter[] } {
  const out: ConfigStep[] = [];
  const filters = new PlatformFilters();
  const filter = filters.make.bind(filters);
  for (const s of steps) {
    switch (s.kind) {
      case "label":
        out.push(_filtered(filter("--label", s.platforms), (_m, image) => {
          const labels = image.Config.Labels;
          const cur = labels.get(s.name);
          if (s.value === "" && cur !== undefined) labels.delete(s.name);
          else if (s.value !== "" && s.value !== cur) labels.set(s.name, s.value);
          else return false;
          return true;
        }));
        break;
      case "env":
        out.push(_filtered(filter("--env", s.platforms), (_m, image) => {
          const env = image.Config.Env;
          const i = env.findIndex((kv) => kv.split("=", 1)[0] === s.name);
          if (i >= 0) {
            if (s.value === "") {
              env.splice(i, 1);
              return true;
            }
            const eq = env[i]!.indexOf("=");
            if (eq >= 0 && env[i]!.slice(eq + 1) === s.value) return false;
            env[i] = `${s.name}=${s.value}`;
            return true;
          }
          if (s.value === "") return false;
          env.push(`${s.name}=${s.value}`);
          return true;
        }));
        break;
      case "user":
        out.push(_filtered(filter("--user", s.platforms), (_m, image) => {
          if (image.Config.User === s.value) return false;
          image.Config.User = s.value;
          return true;
        }));
        break;
      case "workdir":
        out.push(_filtered(filter("--workdir", s.platforms), (_m, image) => {
          if (image.Config.WorkingDir === s.value) return false;
          image.Config.WorkingDir = s.value;
          return true;
        }));
        break;
      case "author":
        out.push((_m, image) => {
          if (image.Author === s.value) return false;
          image.Author = s.value;
          return true;
        });
        break;
      case "cmd":
      case "entrypoint":
        out.push((_m, image) => {
          const field = s.kind === "cmd" ? "Cmd" : "Entrypoint";
          if (_sameStrings(image.Config[field], s.value)) return false;
          image.Config[field] = [...s.value];
          return true;
        });
        break;
      case "expose-add":
      case "expose-rm":
      case "volume-add":
      case "volume-rm":
        out.push(_set(s.kind, s.value));
        break;
      case "config-platform":
        out.push(_platformStep(s.platform));
        break;
      case "buildarg-rm":
        out.push(_buildArgRm(s.arg, s.pattern));
        break;
      case "config-time":
        out.push(_configTime(resolvedTime(s.time), ctx));
        break;
      case "layer-time":
      case "file-tar-time": {
        const rt = layerTimes.get(s);
        if (rt !== undefined && (rt.option.fromLabel ?? "") !== "") {
          out.push((_m, image) => {
            resolveTimeLabel(rt, image, commonName(ctx.source));
            return false;
          });
        }
        break;
      }
    }
  }
  return { steps: out, filters: filters.list };
}
