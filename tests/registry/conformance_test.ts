import { RegistryTransport } from "../../src/transport/registry/registry_transport.ts";
import type { Ref } from "../../src/types/ref.ts";
import { runTransportSuite } from "../transport_conformance.ts";
import { hasDistribution, startDistribution } from "./_distribution.ts";

if (hasDistribution) {
  runTransportSuite({
    name: "registry (distribution)",
    async create() {
      const d = await startDistribution();
      const transport = new RegistryTransport({ hosts: [{ name: d.host, tls: "disabled" }] });
      const ref = (tag = ""): Ref => ({
        scheme: "reg",
        registry: d.host,
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
          await d.stop();
        },
      };
    },
  });
}
