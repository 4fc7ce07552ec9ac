/**
 * The rules of a redirect the registry transport follows itself
 * (`http.ts`), loaded by the first redirect: most short commands meet none.
 * A redirect needs a valid http(s) `Location`; at most {@link MAX_REDIRECTS}
 * are followed; https is never left for http; a registry that is not local
 * may not send the client to a local address (the regclient regnet rule);
 * 303 turns the request into a body-less GET; a streamed body is never
 * resent.
 *
 * @module
 */
import { RegistryError } from "../../errors.ts";
import { isLocalAddress } from "./local_address.ts";

/** Most redirects followed. */
export const MAX_REDIRECTS = 10;

/** A redirect answer and the request it answers. */
export interface RedirectHop {
  /** The redirect status (301, 302, 303, 307 or 308). */
  status: number;
  /** Its `Location` header, if any. */
  location: string | null;
  /** How many redirects were followed before this one. */
  hop: number;
  /** The URL that answered. */
  url: URL;
  /** The method sent there. */
  method: string;
  /** The body is a stream or a byte source (sent once, not resent). */
  streamed: boolean;
  /** What is being done, for errors (`get manifest`). */
  action: string;
  /** What it is done to, for errors (`localhost:5000/a:b`). */
  subject: string;
  /** The registry's `host[:port]`, to tell whether it is local. */
  registryHost: string;
}

/** Where a followed redirect leads. */
export interface RedirectNext {
  /** The next URL. */
  url: URL;
  /** The method to send there. */
  method: string;
  /** The body is left out there (a 303 answer to anything but HEAD). */
  dropBody: boolean;
}

/**
 * Checks a redirect and tells how the request goes on.
 *
 * @param hop the answer and the request
 * @returns the next URL, its method and whether the body is dropped
 * @throws {RegistryError} for a missing, invalid or refused `Location`, too
 *   many redirects, or a redirected streamed body
 */
export function followRedirect(hop: RedirectHop): RedirectNext {
  const { status, url, method } = hop;
  const fail = (detail: string) =>
    new RegistryError(`Cannot ${hop.action} "${hop.subject}": ${detail}`, {
      status,
      method,
      url: url.href,
    });
  if (!hop.location) throw fail(`registry returned ${status} without a Location`);
  if (hop.hop >= MAX_REDIRECTS) throw fail(`more than ${MAX_REDIRECTS} redirects`);
  let next: URL;
  try {
    next = new URL(hop.location, url);
  } catch {
    throw fail(`registry redirected to an invalid URL "${hop.location}"`);
  }
  if (next.protocol !== "https:" && next.protocol !== "http:") {
    throw fail(`registry redirected to an unsupported URL "${next.href}"`);
  }
  if (url.protocol === "https:" && next.protocol === "http:") {
    throw fail(`registry redirected from https to http ("${next.href}"), which is refused`);
  }
  if (isLocalAddress(next.hostname) && !isLocalAddress(_hostOnly(hop.registryHost))) {
    throw fail(
      `registry redirected to the local address "${next.host}", which is refused for a registry that is not local`,
    );
  }
  if (status === 303 && method !== "HEAD") return { url: next, method: "GET", dropBody: true };
  if (hop.streamed) throw fail("registry redirected a streamed upload, which cannot be resent");
  return { url: next, method, dropBody: false };
}

/** `host` of `host[:port]` (IPv6 keeps its brackets). */
function _hostOnly(hostPort: string): string {
  if (hostPort.startsWith("[")) return hostPort.slice(0, hostPort.indexOf("]") + 1);
  const i = hostPort.lastIndexOf(":");
  return i >= 0 ? hostPort.slice(0, i) : hostPort;
}
