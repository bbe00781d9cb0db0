/** PACE's endpoints as functions: one request, one mapping, a value or a thrown typed error. */
import { UpstreamBadResponseError } from '../errors.js';
import type { PaceClient, UpstreamCall } from './client.js';
import { otpFromResponse, throwFailure, type Otp } from './mapping.js';

/** Only the credentials the caller gave: `{"pin":"1234"}`, never `{"pin":"1234","password":null}`. */
export interface OtpCredentials {
  readonly pin?: string;
  readonly password?: string;
}

export async function createOtp<C>(client: PaceClient<C>, call: UpstreamCall<C>, credentials: OtpCredentials): Promise<Otp> {
  const response = await client.post('createOtp', '/user/otp', call, JSON.stringify(credentials));
  if (response.status === 201) return otpFromResponse(response);
  return throwFailure(response, {
    notFoundIsInvalidCredentials: true,
    secrets: [credentials.pin ?? '', credentials.password ?? ''],
  });
}

/** Which credentials the user has set: tells a client whether to ask for a PIN or a password. */
export interface CredentialKinds {
  readonly pin: boolean;
  readonly password: boolean;
}

export async function pinOrPassword<C>(client: PaceClient<C>, call: UpstreamCall<C>): Promise<CredentialKinds> {
  const response = await client.get('pinOrPassword', '/user/pin-or-password', call);
  if (response.status !== 200) throwFailure(response, { notFoundIsInvalidCredentials: false });
  const body = response.body as { pin?: unknown; password?: unknown } | undefined;
  if (typeof body?.pin !== 'boolean' || typeof body.password !== 'boolean') {
    throw new UpstreamBadResponseError(response.status, response.requestId);
  }
  return { pin: body.pin, password: body.password };
}
