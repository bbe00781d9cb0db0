/** Recognisable secrets that tests drive through every path, then search every output for. */
export const SECRET_PIN = 'PINMARKER-81726354';
export const SECRET_PASSWORD = 'PASSWORDMARKER-pw-Zq8';
/** JWT-shaped (its payload's `sub` is "secret-sub"), so the gateway reads it like a real token. */
export const SECRET_TOKEN = 'TOKENMARKER.eyJzdWIiOiJzZWNyZXQtc3ViIn0.SIGNATUREMARKER';
/** Parts of the token that must not show up on their own either. */
export const SECRET_TOKEN_PARTS = ['TOKENMARKER', 'SIGNATUREMARKER'] as const;
export const SECRET_OTP = 'OTPMARKER-918273';
