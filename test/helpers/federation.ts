/** Federation test helpers: a second subgraph, composition, and a real Hive Gateway on port 0. */
import { composeServices as apolloComposeServices } from '@apollo/composition';
import { createGatewayRuntime } from '@graphql-hive/gateway-runtime';
import { composeServices, compositionHasErrors, type CompositionSuccess } from '@theguild/federation-composition';
import { buildASTSchema, isInputObjectType, isInterfaceType, isObjectType, parse, type DocumentNode, type GraphQLNamedType } from 'graphql';
import { createProfileSubgraph } from '../../examples/supergraph/profile-subgraph.js';
import { disposable, graphql, listen, type Listening } from './servers.js';

export interface Subgraph {
  readonly name: string;
  readonly url: string;
  readonly typeDefs: DocumentNode;
}

/** A subgraph's SDL as a supergraph tool gets it: `{ _service { sdl } }` over HTTP. */
export async function fetchSubgraph(name: string, baseUrl: string): Promise<Subgraph> {
  const { body } = await graphql(baseUrl, '{ _service { sdl } }');
  const sdl: unknown = body.data?.['_service']?.sdl;
  if (typeof sdl !== 'string') throw new Error(`${name}: no _service.sdl in ${JSON.stringify(body)}`);
  return { name, url: `${baseUrl}/graphql`, typeDefs: parse(sdl) };
}

/** A second, unrelated subgraph ("profile"): the ready local neighbour the supergraph guide offers. */
export { PROFILE_SDL } from '../../examples/supergraph/profile-subgraph.js';

export async function startProfileSubgraph(): Promise<Listening> {
  const yoga = createProfileSubgraph();
  const http = await listen(yoga);
  return disposable(http, async () => {
    await http.close();
    await yoga.dispose();
  });
}

/** The composed supergraph, or a thrown error listing every composition error. */
export function composeSupergraph(subgraphs: readonly Subgraph[]): CompositionSuccess {
  const result = composeServices(subgraphs.map(({ name, url, typeDefs }) => ({ name, url, typeDefs })));
  if (compositionHasErrors(result)) throw new Error(result.errors.map((error) => error.message).join('\n'));
  return result;
}

/** One composition library's verdict: the error codes (empty when it composed) and the supergraph. */
export interface Verdict {
  readonly codes: readonly string[];
  readonly messages: readonly string[];
  readonly supergraphSdl: string | undefined;
}

/**
 * The same subgraphs through both composition libraries: they disagree at times (the Guild's reports
 * INTERFACE_FIELD_NO_IMPLEM where Apollo's reports INVALID_FIELD_SHARING), so a subgraph must pass both.
 */
export function composeWithBoth(subgraphs: readonly Subgraph[]): { readonly apollo: Verdict; readonly guild: Verdict } {
  const services = subgraphs.map(({ name, url, typeDefs }) => ({ name, url, typeDefs }));
  const apollo = apolloComposeServices(services);
  const guild = composeServices(services);
  const verdict = (errors: readonly { message: string; extensions: Record<string, unknown> }[] | undefined, supergraphSdl: string | undefined): Verdict => ({
    codes: [...new Set((errors ?? []).map((error) => String(error.extensions['code'])))].sort(),
    messages: (errors ?? []).map((error) => error.message),
    supergraphSdl: errors?.length ? undefined : supergraphSdl,
  });
  return { apollo: verdict(apollo.errors, apollo.supergraphSdl), guild: verdict(compositionHasErrors(guild) ? guild.errors : undefined, guild.supergraphSdl) };
}

/**
 * Apollo's INCONSISTENT_DESCRIPTION hint, which @theguild/federation-composition does not emit:
 * a type or field defined by several subgraphs with different descriptions (one missing is fine).
 * Each entry names the element and the subgraphs involved.
 */
export function inconsistentDescriptions(subgraphs: readonly Subgraph[]): string[] {
  const seen = new Map<string, Map<string, string>>(); // element -> description -> subgraph
  const note = (element: string, description: string | null | undefined, subgraph: string) => {
    if (!description) return;
    const descriptions = seen.get(element) ?? new Map<string, string>();
    if (!descriptions.has(description)) descriptions.set(description, subgraph);
    seen.set(element, descriptions);
  };
  for (const { name, typeDefs } of subgraphs) {
    // buildASTSchema ignores the federation directives it does not know; only names and descriptions matter here.
    const schema = buildASTSchema(stripSchemaExtensions(typeDefs), { assumeValidSDL: true });
    for (const type of Object.values(schema.getTypeMap()) as GraphQLNamedType[]) {
      if (type.name.startsWith('__')) continue;
      note(type.name, type.description, name);
      if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
        for (const field of Object.values(type.getFields())) note(`${type.name}.${field.name}`, field.description, name);
      }
    }
  }
  return [...seen]
    .filter(([, descriptions]) => descriptions.size > 1)
    .map(([element, descriptions]) => `${element}: ${[...descriptions.values()].join(', ')}`);
}

function stripSchemaExtensions(document: DocumentNode): DocumentNode {
  return { ...document, definitions: document.definitions.filter((definition) => definition.kind !== 'SchemaExtension') };
}

/**
 * Hive Gateway over real HTTP on port 0, serving the supergraph, forwarding the caller's
 * Authorization header (and nothing else) to every subgraph.
 */
export async function startFederationGateway(supergraph: string): Promise<Listening> {
  const gateway = createGatewayRuntime({
    supergraph,
    logging: false,
    propagateHeaders: {
      fromClientToSubgraphs: ({ request }) => ({ authorization: request.headers.get('authorization') }),
    },
  });
  const http = await listen(gateway);
  return disposable(http, async () => {
    await http.close();
    await gateway.dispose();
  });
}

export interface Federation {
  readonly subgraphs: readonly Subgraph[];
  readonly composition: CompositionSuccess;
  readonly gateway: Listening;
}

/** Fetches each subgraph's SDL, composes them, and serves the supergraph: what a platform team does. */
export async function federate(subgraphUrls: Record<string, string>): Promise<Federation> {
  const subgraphs = await Promise.all(Object.entries(subgraphUrls).map(([name, url]) => fetchSubgraph(name, url)));
  const composition = composeSupergraph(subgraphs);
  return { subgraphs, composition, gateway: await startFederationGateway(composition.supergraphSdl) };
}

export interface Supergraph extends Federation, AsyncDisposable {
  readonly profile: Listening;
  close(): Promise<void>;
}

/** This gateway (at `otpUrl`) beside a fresh profile subgraph, composed and served by Hive Gateway. */
export async function startSupergraph(otpUrl: string): Promise<Supergraph> {
  const profile = await startProfileSubgraph();
  const federation = await federate({ otp: otpUrl, profile: profile.url }).catch(async (error: unknown) => {
    await profile.close();
    throw error;
  });
  return disposable({ ...federation, profile }, async () => {
    await federation.gateway.close();
    await profile.close();
  });
}
