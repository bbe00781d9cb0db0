/**
 * The OTLP/protobuf ExportTraceServiceRequest of a batch of spans: the same bytes as
 * @opentelemetry/otlp-transformer's ProtobufTraceSerializer (test/tracing.unit.test.ts compares them
 * field by field and byte for byte), written without reading strings one character at a time.
 *
 * Why not the SDK's own: it encodes every string and every hex id with a `charCodeAt` loop (three
 * passes per character: the size estimate, the ASCII test, the copy). Any package that subclasses
 * `String` (ioredis does: `class VerbatimString extends String`, loaded with the gateway) makes V8 stop
 * inlining String.prototype methods for the whole process, and those loops then cost 6.5 µs per span
 * instead of 2.4 (bench/tracing-costs.mjs). Here a string is copied from a cache of its UTF-8 bytes
 * (span names, attribute keys and values repeat from request to request) or written by Buffer in
 * one call, and ids by Buffer's hex decoder: about 1 µs per span either way.
 *
 * Field numbers and order follow opentelemetry-proto (trace/v1/trace.proto, common/v1/common.proto).
 */
import type { Attributes, AttributeValue, HrTime, Link, SpanStatus } from '@opentelemetry/api';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace-node';

type Resource = ReadableSpan['resource'];
type Scope = ReadableSpan['instrumentationScope'];

const VARINT = 0;
const FIXED64 = 1;
const LENGTH_DELIMITED = 2;
const FIXED32 = 5;

// Strings at most this long are kept encoded; the cache is emptied when it reaches its bound.
const CACHED_STRING_LENGTH = 128;
const CACHED_STRINGS = 4096;
const encoded = new Map<string, Buffer>();

class Writer {
  buffer: Buffer;
  pos = 0;

  constructor(size: number) {
    this.buffer = Buffer.allocUnsafe(size);
  }

  ensure(size: number): void {
    if (this.pos + size <= this.buffer.length) return;
    let length = this.buffer.length * 2;
    while (length < this.pos + size) length *= 2;
    const bigger = Buffer.allocUnsafe(length);
    this.buffer.copy(bigger, 0, 0, this.pos);
    this.buffer = bigger;
  }

  tag(field: number, wireType: number): void {
    this.varint((field << 3) | wireType);
  }

  varint(value: number): void {
    this.ensure(10);
    const buffer = this.buffer;
    if (value >= 0 && value <= 0xffffffff) {
      let v = value >>> 0;
      while (v > 0x7f) {
        buffer[this.pos++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
      buffer[this.pos++] = v;
      return;
    }
    // 64 bits, two's complement for negative values (an int64 attribute).
    const abs = Math.abs(value);
    let low = abs >>> 0;
    let high = (abs / 0x100000000) >>> 0;
    if (value < 0) {
      low = ~low >>> 0;
      high = ~high >>> 0;
      low = (low + 1) >>> 0;
      if (low === 0) high = (high + 1) >>> 0;
    }
    while (high > 0 || low > 0x7f) {
      buffer[this.pos++] = (low & 0x7f) | 0x80;
      low = ((low >>> 7) | (high << 25)) >>> 0;
      high >>>= 7;
    }
    buffer[this.pos++] = low & 0x7f;
  }

  fixed32(value: number): void {
    this.ensure(4);
    this.buffer.writeUInt32LE(value >>> 0, this.pos);
    this.pos += 4;
  }

  fixed64(low: number, high: number): void {
    this.ensure(8);
    this.buffer.writeUInt32LE(low >>> 0, this.pos);
    this.buffer.writeUInt32LE(high >>> 0, this.pos + 4);
    this.pos += 8;
  }

  double(value: number): void {
    this.ensure(8);
    this.buffer.writeDoubleLE(value, this.pos);
    this.pos += 8;
  }

  bytes(value: Uint8Array): void {
    this.varint(value.length);
    this.ensure(value.length);
    this.buffer.set(value, this.pos);
    this.pos += value.length;
  }

  string(value: string): void {
    if (value.length <= CACHED_STRING_LENGTH) {
      let bytes = encoded.get(value);
      if (bytes === undefined) {
        if (encoded.size >= CACHED_STRINGS) encoded.clear();
        bytes = Buffer.from(value, 'utf8');
        encoded.set(value, bytes);
      }
      this.bytes(bytes);
      return;
    }
    const length = Buffer.byteLength(value, 'utf8');
    this.varint(length);
    this.ensure(length);
    this.pos += this.buffer.write(value, this.pos, length, 'utf8');
  }

  /** A hex id (trace or span id) as its bytes. */
  hexId(value: string): void {
    const length = value.length >>> 1;
    this.varint(length);
    this.ensure(length);
    this.buffer.fill(0, this.pos, this.pos + length); // ids are checked hex (made by the SDK, or a caller's checked by the propagator)
    this.buffer.write(value, this.pos, length, 'hex');
    this.pos += length;
  }

  /** Reserves one byte for the length of the message that follows; returns where it starts. */
  begin(): number {
    this.ensure(1);
    return this.pos++;
  }

  /** Writes the length of the message begun at `start`, moving it when the length needs more than one byte. */
  end(start: number): void {
    const length = this.pos - start - 1;
    if (length < 0x80) {
      this.buffer[start] = length;
      return;
    }
    let size = 1;
    for (let v = length; v > 0x7f; v >>>= 7) size++;
    this.ensure(size - 1);
    this.buffer.copy(this.buffer, start + size, start + 1, this.pos);
    this.pos += size - 1;
    let v = length;
    let at = start;
    while (v > 0x7f) {
      this.buffer[at++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buffer[at] = v;
  }
}

/** ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1 }, spans grouped by resource and scope. */
export function serializeTraceRequest(spans: ReadableSpan[]): Uint8Array {
  const resources = new Map<Resource, Map<Scope, ReadableSpan[]>>();
  for (const span of spans) {
    let scopes = resources.get(span.resource);
    if (scopes === undefined) resources.set(span.resource, (scopes = new Map()));
    let members = scopes.get(span.instrumentationScope);
    if (members === undefined) scopes.set(span.instrumentationScope, (members = []));
    members.push(span);
  }
  const writer = new Writer(Math.max(1024, spans.length * 320));
  for (const [resource, scopes] of resources) {
    writer.tag(1, LENGTH_DELIMITED);
    const start = writer.begin();
    resourceMessage(writer, resource);
    for (const members of scopes.values()) {
      writer.tag(2, LENGTH_DELIMITED);
      scopeSpans(writer, members[0]!.instrumentationScope, members);
    }
    if (resource.schemaUrl) {
      writer.tag(3, LENGTH_DELIMITED);
      writer.string(resource.schemaUrl);
    }
    writer.end(start);
  }
  return writer.buffer.subarray(0, writer.pos);
}

/** Resource { repeated KeyValue attributes = 1; uint32 dropped_attributes_count = 2 }, as field 1. */
function resourceMessage(writer: Writer, resource: Resource): void {
  writer.tag(1, LENGTH_DELIMITED);
  const start = writer.begin();
  if (resource.attributes) attributes(writer, resource.attributes, 1);
  writer.tag(2, VARINT);
  writer.varint(0);
  writer.end(start);
}

function scopeSpans(writer: Writer, scope: Scope, spans: ReadableSpan[]): void {
  const start = writer.begin();
  // InstrumentationScope { name = 1; version = 2; attributes = 3; dropped_attributes_count = 4 }
  writer.tag(1, LENGTH_DELIMITED);
  const scopeStart = writer.begin();
  writer.tag(1, LENGTH_DELIMITED);
  writer.string(scope.name);
  if (scope.version) {
    writer.tag(2, LENGTH_DELIMITED);
    writer.string(scope.version);
  }
  const extra = scope as { attributes?: Attributes; droppedAttributesCount?: number };
  if (extra.attributes) attributes(writer, extra.attributes, 3);
  if (extra.droppedAttributesCount) {
    writer.tag(4, VARINT);
    writer.varint(extra.droppedAttributesCount);
  }
  writer.end(scopeStart);
  for (const span of spans) {
    writer.tag(2, LENGTH_DELIMITED);
    spanMessage(writer, span);
  }
  if (scope.schemaUrl) {
    writer.tag(3, LENGTH_DELIMITED);
    writer.string(scope.schemaUrl);
  }
  writer.end(start);
}

function spanMessage(writer: Writer, span: ReadableSpan): void {
  const start = writer.begin();
  const context = span.spanContext();
  writer.tag(1, LENGTH_DELIMITED);
  writer.hexId(context.traceId);
  writer.tag(2, LENGTH_DELIMITED);
  writer.hexId(context.spanId);
  const traceState = context.traceState?.serialize();
  if (traceState) {
    writer.tag(3, LENGTH_DELIMITED);
    writer.string(traceState);
  }
  if (span.parentSpanContext?.spanId) {
    writer.tag(4, LENGTH_DELIMITED);
    writer.hexId(span.parentSpanContext.spanId);
  }
  writer.tag(5, LENGTH_DELIMITED);
  writer.string(span.name);
  const kind = span.kind == null ? 0 : span.kind + 1; // the API has no UNSPECIFIED
  if (kind !== 0) {
    writer.tag(6, VARINT);
    writer.varint(kind);
  }
  writer.tag(7, FIXED64);
  hrTime(writer, span.startTime);
  writer.tag(8, FIXED64);
  hrTime(writer, span.endTime);
  if (span.attributes) attributes(writer, span.attributes, 9);
  writer.tag(10, VARINT);
  writer.varint(span.droppedAttributesCount);
  for (const event of span.events) {
    writer.tag(11, LENGTH_DELIMITED);
    eventMessage(writer, event);
  }
  writer.tag(12, VARINT);
  writer.varint(span.droppedEventsCount);
  for (const link of span.links) {
    writer.tag(13, LENGTH_DELIMITED);
    linkMessage(writer, link);
  }
  writer.tag(14, VARINT);
  writer.varint(span.droppedLinksCount);
  writer.tag(15, LENGTH_DELIMITED);
  statusMessage(writer, span.status);
  writer.tag(16, FIXED32);
  writer.fixed32(spanFlags(context.traceFlags, span.parentSpanContext?.isRemote));
  writer.end(start);
}

function eventMessage(writer: Writer, event: TimedEvent): void {
  const start = writer.begin();
  writer.tag(1, FIXED64);
  hrTime(writer, event.time);
  writer.tag(2, LENGTH_DELIMITED);
  writer.string(event.name);
  if (event.attributes) attributes(writer, event.attributes, 3);
  writer.tag(4, VARINT);
  writer.varint(event.droppedAttributesCount || 0);
  writer.end(start);
}

function linkMessage(writer: Writer, link: Link): void {
  const start = writer.begin();
  writer.tag(1, LENGTH_DELIMITED);
  writer.hexId(link.context.traceId);
  writer.tag(2, LENGTH_DELIMITED);
  writer.hexId(link.context.spanId);
  const traceState = link.context.traceState?.serialize();
  if (traceState) {
    writer.tag(3, LENGTH_DELIMITED);
    writer.string(traceState);
  }
  if (link.attributes) attributes(writer, link.attributes, 4);
  writer.tag(5, VARINT);
  writer.varint(link.droppedAttributesCount || 0);
  writer.tag(6, FIXED32);
  writer.fixed32(spanFlags(link.context.traceFlags, link.context.isRemote));
  writer.end(start);
}

function statusMessage(writer: Writer, status: SpanStatus): void {
  const start = writer.begin();
  if (status.message) {
    writer.tag(2, LENGTH_DELIMITED);
    writer.string(status.message);
  }
  writer.tag(3, VARINT);
  writer.varint(status.code);
  writer.end(start);
}

/** The W3C flags, with "has is_remote" (0x100) and "is_remote" (0x200) as OTLP defines them. */
function spanFlags(traceFlags: number, isRemote: boolean | undefined): number {
  return (traceFlags & 0xff) | 0x100 | (isRemote ? 0x200 : 0);
}

/** [seconds, nanoseconds] as fixed64 nanoseconds, exactly (no float rounding past 2^53). */
function hrTime(writer: Writer, [seconds, nanos]: HrTime): void {
  const lowerSeconds = seconds & 0xffff;
  const upperSeconds = (seconds / 0x10000) >>> 0;
  const fromLower = lowerSeconds * 1e9;
  const fromUpper = upperSeconds * 1e9;
  const low = (fromLower >>> 0) + (((fromUpper & 0xffff) * 0x10000) >>> 0) + nanos;
  const high = Math.floor(fromLower / 0x100000000) + ((fromUpper / 0x10000) >>> 0) + Math.floor(low / 0x100000000);
  writer.fixed64(low >>> 0, high >>> 0);
}

/** repeated KeyValue { string key = 1; AnyValue value = 2 } as field `field`. */
function attributes(writer: Writer, values: Attributes, field: number): void {
  for (const key in values) {
    if (!Object.prototype.hasOwnProperty.call(values, key)) continue;
    writer.tag(field, LENGTH_DELIMITED);
    const start = writer.begin();
    keyValue(writer, key, values[key]);
    writer.end(start);
  }
}

function keyValue(writer: Writer, key: string, value: unknown): void {
  writer.tag(1, LENGTH_DELIMITED);
  writer.string(key);
  writer.tag(2, LENGTH_DELIMITED);
  const start = writer.begin();
  anyValue(writer, value);
  writer.end(start);
}

const INT64_MIN = -(2 ** 63);
const INT64_END = 2 ** 63;

/** AnyValue { string = 1; bool = 2; int64 = 3; double = 4; array = 5; kvlist = 6; bytes = 7 }. */
function anyValue(writer: Writer, value: AttributeValue | unknown): void {
  if (typeof value === 'string') {
    writer.tag(1, LENGTH_DELIMITED);
    writer.string(value);
  } else if (typeof value === 'boolean') {
    writer.tag(2, VARINT);
    writer.varint(value ? 1 : 0);
  } else if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= INT64_MIN && value < INT64_END) {
      writer.tag(3, VARINT);
      writer.varint(value);
    } else {
      writer.tag(4, FIXED64);
      writer.double(value);
    }
  } else if (value instanceof Uint8Array) {
    writer.tag(7, LENGTH_DELIMITED);
    writer.bytes(value);
  } else if (Array.isArray(value)) {
    writer.tag(5, LENGTH_DELIMITED);
    const start = writer.begin();
    for (const item of value) {
      writer.tag(1, LENGTH_DELIMITED);
      const itemStart = writer.begin();
      anyValue(writer, item);
      writer.end(itemStart);
    }
    writer.end(start);
  } else if (typeof value === 'object' && value !== null) {
    writer.tag(6, LENGTH_DELIMITED);
    const start = writer.begin();
    const entries = value as Record<string, unknown>;
    for (const key in entries) {
      if (!Object.prototype.hasOwnProperty.call(entries, key)) continue;
      writer.tag(1, LENGTH_DELIMITED);
      const entryStart = writer.begin();
      keyValue(writer, key, entries[key]);
      writer.end(entryStart);
    }
    writer.end(start);
  }
  // null, undefined and other types: an empty AnyValue, as the SDK writes it
}
