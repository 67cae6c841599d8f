// helius-sdk resolved from this folder's node_modules, next to the @solana/kit 6 it was built for.
export { createHelius } from "helius-sdk";
export type { CreateWebhookRequest, Webhook } from "helius-sdk/types/webhooks";
