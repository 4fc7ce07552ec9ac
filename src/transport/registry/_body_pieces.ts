/**
 * A wire body read piece by piece (`WireBody`): for a stream or a byte
 * source of any body, and for a whole body without a length, one in chunked
 * transfer coding (extensions and trailers read and dropped) or one that
 * ends with the connection (RFC 9112, sections 6 and 7.1). A HEAD and a body
 * read whole by its `Content-Length` (a manifest, a tag list, an error page)
 * never need it, so `WireBody` loads it at the first read that does.
 *
 * @module
 */
import { concatBytes } from "../../bytes.ts";
import { badResponse, type BodyFraming, WIRE_READ_SIZE, type WireReader } from "./wire_response.ts";

/** Reads one body's pieces off its connection, by the body's framing. */
export class BodyPieces {
  #reader: WireReader;
  #framing: BodyFraming;
  #chunkLeft = 0;
  #ended: () => void;

  /**
   * Reads a body that has not ended yet.
   * @param reader the connection's reader, positioned in the body
   * @param framing how the body ends (a length's `left` is counted down here)
   * @param ended called when the body was read to its end
   */
  constructor(reader: WireReader, framing: BodyFraming, ended: () => void) {
    this.#reader = reader;
    this.#framing = framing;
    this.#ended = ended;
  }

  /**
   * The next piece of the body.
   *
   * @param max most bytes returned
   * @returns bytes, or null at the end
   * @throws {TypeError} for a bad chunk size, a chunk without its CRLF, or a
   *   connection that closes inside the body
   */
  async next(max: number = WIRE_READ_SIZE): Promise<Uint8Array | null> {
    const f = this.#framing;
    if (f.kind === "length") {
      const got = await this.#reader.readSome(Math.min(f.left, max));
      if (got === null) throw badResponse("the connection closed inside the body");
      f.left -= got.byteLength;
      if (f.left === 0) this.#ended();
      return got;
    }
    if (f.kind === "close") {
      const got = await this.#reader.readSome(max);
      if (got === null) this.#ended();
      return got;
    }
    if (f.kind === "chunked") {
      if (this.#chunkLeft === 0) {
        const line = await this.#reader.readLine();
        const m = /^([0-9a-fA-F]{1,12})[ \t]*(;.*)?$/.exec(line);
        if (!m) throw badResponse(`chunk size ${JSON.stringify(line.slice(0, 40))}`);
        this.#chunkLeft = parseInt(m[1]!, 16);
        if (this.#chunkLeft === 0) {
          while ((await this.#reader.readLine()) !== "");
          this.#ended();
          return null;
        }
      }
      const got = await this.#reader.readSome(Math.min(this.#chunkLeft, max));
      if (got === null) throw badResponse("the connection closed inside the body");
      this.#chunkLeft -= got.byteLength;
      if (this.#chunkLeft === 0 && (await this.#reader.readLine()) !== "") {
        throw badResponse("no CRLF after a chunk");
      }
      return got;
    }
    return null;
  }

  /**
   * Reads the next bytes of the body into `p`: a length-framed body straight
   * off the connection, others through {@link next}.
   *
   * @param p where to put them (not empty)
   * @returns how many were put, or null at the end of the body
   * @throws {TypeError} as {@link next} does
   */
  async readInto(p: Uint8Array): Promise<number | null> {
    const f = this.#framing;
    if (f.kind !== "length") {
      const piece = await this.next(p.byteLength);
      if (piece === null) return null;
      p.set(piece);
      return piece.byteLength;
    }
    const n = await this.#reader.readInto(p.subarray(0, Math.min(p.byteLength, f.left)));
    if (n === null) throw badResponse("the connection closed inside the body");
    f.left -= n;
    if (f.left === 0) this.#ended();
    return n;
  }

  /**
   * Reads the rest of the body.
   *
   * @returns its bytes
   * @throws {TypeError} as {@link next} does
   */
  async all(): Promise<Uint8Array<ArrayBuffer>> {
    const parts: Uint8Array[] = [];
    for (let p = await this.next(); p !== null; p = await this.next()) parts.push(p);
    // each piece is a fresh array of its own
    return concatBytes(parts) as Uint8Array<ArrayBuffer>;
  }
}
