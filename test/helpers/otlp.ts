/**
 * An OTLP/HTTP trace receiver on port 0, as a collector would be: POST /v1/traces in http/json or
 * http/protobuf. Every span it got is kept, flattened, with its resource's attributes.
 *
 * Protobuf is read with the SDK's own ProtobufReader (@opentelemetry/otlp-transformer): since 0.218
 * the SDK writes OTLP without protobufjs and ships no request decoder, only this reader, so the
 * few OTLP trace messages are walked here by their field numbers (opentelemetry-proto, trace.proto).
 */
import { ProtobufReader } from '@opentelemetry/otlp-transformer/build/src/common/protobuf/protobuf-reader.js';
import { listen, type Listening } from './servers.js';

export type AttributeValue = string | number | boolean | null;

export interface ReceivedSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string;
  readonly traceState: string;
  readonly name: string;
  /** OTLP numbering: 1 INTERNAL, 2 SERVER, 3 CLIENT. */
  readonly kind: number;
  readonly attributes: Record<string, AttributeValue>;
  /** 0 UNSET, 1 OK, 2 ERROR. */
  readonly status: { readonly code: number; readonly message: string };
  readonly events: { readonly name: string; readonly attributes: Record<string, AttributeValue> }[];
  readonly resource: Record<string, AttributeValue>;
}

export const SpanKind = { INTERNAL: 1, SERVER: 2, CLIENT: 3 } as const;
export const StatusCode = { UNSET: 0, OK: 1, ERROR: 2 } as const;

export interface OtlpReceiver extends Listening {
  readonly spans: ReceivedSpan[];
  /** The content types of the export requests received. */
  readonly contentTypes: string[];
  /** Raw request bodies, for a search that needs no decoding at all. */
  readonly rawBodies: Buffer[];
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const contentTypes: string[] = [];
  const rawBodies: Buffer[] = [];
  const http = await listen((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const type = req.headers['content-type'] ?? '';
      if (req.method !== 'POST' || req.url !== '/v1/traces') {
        res.writeHead(404).end();
        return;
      }
      contentTypes.push(type);
      rawBodies.push(body);
      try {
        spans.push(...decodeTraces(body, type));
      } catch (error) {
        res.writeHead(400).end(String(error));
        return;
      }
      // An empty ExportTraceServiceResponse, in the request's encoding.
      if (type.startsWith('application/json')) res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      else res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  return { ...http, spans, contentTypes, rawBodies };
}

/** An ExportTraceServiceRequest body, http/json or http/protobuf by its content type, as flat spans. */
export function decodeTraces(body: Uint8Array, contentType: string): ReceivedSpan[] {
  return contentType.startsWith('application/json') ? fromJson(JSON.parse(Buffer.from(body).toString('utf8'))) : fromProtobuf(body);
}

/** Every string of a span a reader of the trace could see: names, attribute keys and values, events, status, resource. */
export function visibleText(span: ReceivedSpan): string {
  const pairs = (attributes: Record<string, AttributeValue>) => Object.entries(attributes).map(([key, value]) => `${key}=${String(value)}`);
  return [
    span.name,
    span.traceState,
    ...pairs(span.attributes),
    ...span.events.flatMap((event) => [event.name, ...pairs(event.attributes)]),
    span.status.message,
    ...pairs(span.resource),
  ].join('\n');
}

// ---- http/json: the exporter writes hex ids and numeric enums.

interface JsonKeyValue {
  key: string;
  value?: { stringValue?: string; intValue?: number | string; boolValue?: boolean; doubleValue?: number };
}

function jsonAttributes(list: JsonKeyValue[] | undefined): Record<string, AttributeValue> {
  const attributes: Record<string, AttributeValue> = {};
  for (const { key, value } of list ?? []) {
    attributes[key] = value?.stringValue ?? (value?.intValue === undefined ? undefined : Number(value.intValue)) ?? value?.boolValue ?? value?.doubleValue ?? null;
  }
  return attributes;
}

function fromJson(request: any): ReceivedSpan[] {
  return (request.resourceSpans ?? []).flatMap((resourceSpans: any) => {
    const resource = jsonAttributes(resourceSpans.resource?.attributes);
    return (resourceSpans.scopeSpans ?? []).flatMap((scopeSpans: any) =>
      (scopeSpans.spans ?? []).map(
        (span: any): ReceivedSpan => ({
          traceId: span.traceId,
          spanId: span.spanId,
          parentSpanId: span.parentSpanId ?? '',
          traceState: span.traceState ?? '',
          name: span.name,
          kind: span.kind,
          attributes: jsonAttributes(span.attributes),
          status: { code: span.status?.code ?? 0, message: span.status?.message ?? '' },
          events: (span.events ?? []).map((event: any) => ({ name: event.name, attributes: jsonAttributes(event.attributes) })),
          resource,
        }),
      ),
    );
  });
}

// ---- http/protobuf: ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1 }.

const VARINT = 0;
const FIXED64 = 1;
const LENGTH = 2;

/** Calls `onField` for each field of the message; the handler must read the field's value or skip it. */
function eachField(bytes: Uint8Array, onField: (field: number, reader: ProtobufReader, wireType: number) => void): void {
  const reader = new ProtobufReader(bytes);
  while (!reader.isAtEnd()) {
    const { fieldNumber, wireType } = reader.readTag();
    const before = reader.pos;
    onField(fieldNumber, reader, wireType);
    if (reader.pos === before) reader.skip(wireType);
  }
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/** AnyValue { string_value = 1; bool_value = 2; int_value = 3; double_value = 4; … } */
function anyValue(bytes: Uint8Array): AttributeValue {
  let value: AttributeValue = null;
  eachField(bytes, (field, reader, wireType) => {
    if (field === 1 && wireType === LENGTH) value = reader.readString();
    else if (field === 2 && wireType === VARINT) value = reader.readVarint() !== 0;
    else if (field === 3 && wireType === VARINT) value = reader.readVarint();
    else if (field === 4 && wireType === FIXED64) {
      value = Buffer.from(bytes.subarray(reader.pos, reader.pos + 8)).readDoubleLE(0);
      reader.pos += 8;
    }
  });
  return value;
}

/** KeyValue { string key = 1; AnyValue value = 2 } */
function keyValue(bytes: Uint8Array, into: Record<string, AttributeValue>): void {
  let key = '';
  let value: AttributeValue = null;
  eachField(bytes, (field, reader, wireType) => {
    if (field === 1 && wireType === LENGTH) key = reader.readString();
    else if (field === 2 && wireType === LENGTH) value = anyValue(reader.readBytes());
  });
  into[key] = value;
}

function fromProtobuf(body: Uint8Array): ReceivedSpan[] {
  const spans: ReceivedSpan[] = [];
  eachField(body, (field, reader) => {
    if (field !== 1) return;
    // ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2 }
    const resource: Record<string, AttributeValue> = {};
    const spanMessages: Uint8Array[] = [];
    eachField(reader.readBytes(), (field, reader) => {
      if (field === 1) eachField(reader.readBytes(), (f, r) => f === 1 && keyValue(r.readBytes(), resource)); // Resource { attributes = 1 }
      // ScopeSpans { scope = 1; repeated Span spans = 2 }
      else if (field === 2) eachField(reader.readBytes(), (f, r) => f === 2 && spanMessages.push(r.readBytes()));
    });
    for (const message of spanMessages) spans.push(span(message, resource));
  });
  return spans;
}

/** Span { trace_id 1; span_id 2; trace_state 3; parent_span_id 4; name 5; kind 6; attributes 9; events 11; status 15 } */
function span(bytes: Uint8Array, resource: Record<string, AttributeValue>): ReceivedSpan {
  const result = {
    traceId: '', spanId: '', parentSpanId: '', traceState: '', name: '', kind: 0,
    attributes: {} as Record<string, AttributeValue>,
    status: { code: 0, message: '' },
    events: [] as ReceivedSpan['events'][number][],
    resource,
  };
  eachField(bytes, (field, reader, wireType) => {
    if (field === 1) result.traceId = hex(reader.readBytes());
    else if (field === 2) result.spanId = hex(reader.readBytes());
    else if (field === 3) result.traceState = reader.readString();
    else if (field === 4) result.parentSpanId = hex(reader.readBytes());
    else if (field === 5) result.name = reader.readString();
    else if (field === 6 && wireType === VARINT) result.kind = reader.readVarint();
    else if (field === 9) keyValue(reader.readBytes(), result.attributes);
    else if (field === 11) {
      // Event { time 1; string name = 2; repeated KeyValue attributes = 3 }
      const event = { name: '', attributes: {} as Record<string, AttributeValue> };
      eachField(reader.readBytes(), (f, r) => {
        if (f === 2) event.name = r.readString();
        else if (f === 3) keyValue(r.readBytes(), event.attributes);
      });
      result.events.push(event);
    } else if (field === 15) {
      // Status { string message = 2; StatusCode code = 3 }
      eachField(reader.readBytes(), (f, r) => {
        if (f === 2) result.status.message = r.readString();
        else if (f === 3) result.status.code = r.readVarint();
      });
    }
  });
  return result;
}
