/**
 * PEM bundles split into certificates, for TLS options that take a list
 * (loaded only for a host with extra CAs).
 *
 * @module
 */

/**
 * Splits a PEM bundle into its certificates.
 *
 * @param pem one or more PEM blocks
 * @returns each `CERTIFICATE` block, or the whole text when none is found
 * @throws never
 */
export function splitPem(pem: string): string[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g);
  return blocks && blocks.length > 0 ? blocks.map((b) => b + "\n") : [pem];
}
