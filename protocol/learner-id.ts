/**
 * The learner identity the browser keeps and sends with every API request,
 * written once for both sides (site/scripts/learner-id.ts makes it,
 * lab-server/admission/client-id.ts reads it). Free of Node-only APIs.
 */
export const LEARNER_HEADER = 'x-drydock-learner';
/** 16 to 64 base64url characters; the browser makes 22 (16 random bytes). */
export const LEARNER_ID = /^[A-Za-z0-9_-]{16,64}$/;
