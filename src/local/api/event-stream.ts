// The AWS event stream framing (application/vnd.amazon.eventstream) that InvokeWithResponseStream answers with:
// each message is total length, headers length, prelude CRC32, string headers, payload, message CRC32 (big-endian).

const CRC32_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let value = n;
    for (let bit = 0; bit < 8; bit++) value = value & 1 ? 0xedb88320 ^ (value >>> 1) : value >>> 1;
    table[n] = value >>> 0;
  }
  return table;
})();

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (let index = 0; index < bytes.length; index++) crc = CRC32_TABLE[(crc ^ bytes[index]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

const STRING_HEADER_TYPE = 7;

function headerBytes(headers: Record<string, string>): Buffer {
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(headers)) {
    const nameBytes = Buffer.from(name);
    const valueBytes = Buffer.from(value);
    const head = Buffer.alloc(nameBytes.length + 4);
    head.writeUInt8(nameBytes.length, 0);
    nameBytes.copy(head, 1);
    head.writeUInt8(STRING_HEADER_TYPE, nameBytes.length + 1);
    head.writeUInt16BE(valueBytes.length, nameBytes.length + 2);
    parts.push(head, valueBytes);
  }
  return Buffer.concat(parts);
}

export function eventStreamMessage(headers: Record<string, string>, payload: Buffer): Buffer {
  const head = headerBytes(headers);
  const total = 12 + head.length + payload.length + 4;
  const message = Buffer.alloc(total);
  message.writeUInt32BE(total, 0);
  message.writeUInt32BE(head.length, 4);
  message.writeUInt32BE(crc32(message.subarray(0, 8)), 8);
  head.copy(message, 12);
  payload.copy(message, 12 + head.length);
  message.writeUInt32BE(crc32(message.subarray(0, total - 4)), total - 4);
  return message;
}

/** One event of a stream's union; `PayloadChunk` carries raw bytes, `InvokeComplete` a JSON document. */
export function eventMessage(eventType: string, payload: Buffer, contentType: string): Buffer {
  return eventStreamMessage(
    { ':event-type': eventType, ':content-type': contentType, ':message-type': 'event' },
    payload,
  );
}
