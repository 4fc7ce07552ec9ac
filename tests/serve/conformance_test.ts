/** The shared transport conformance suite, run through the registry client against `serve`. */
import { startRegistryServer } from "../../src/serve/server.ts";
import { RegistryTransport } from "../../src/transport/registry/registry_transport.ts";
import type { Ref } from "../../src/types/ref.ts";
import { runTransportSuite } from "../transport_conformance.ts";

runTransportSuite({
  name: "registry (ocictl serve)",
  async create() {
    const dir = await Deno.makeTempDir({ prefix: "ocictl-serve-conf-" });
    const server = await startRegistryServer({ dir, hostname: "127.0.0.1", port: 0 });
    const host = `127.0.0.1:${server.addr.port}`;
    const transport = new RegistryTransport({ hosts: [{ name: host, tls: "disabled" }] });
    const ref = (tag = ""): Ref => ({
      scheme: "reg",
      registry: host,
      repository: "conformance/app",
      path: "",
      tag,
      digest: "",
    });
    return {
      transport,
      ref,
      cleanup: async () => {
        await transport.close();
        await server.shutdown();
        await Deno.remove(dir, { recursive: true });
      },
    };
  },
});
