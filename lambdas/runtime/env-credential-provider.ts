/**
 * Lambda bundles only: stands in for `@aws-sdk/credential-provider-node` (the esbuild step in
 * `lib/bundling/lambda-bundle.ts` aliases that package to this file). Every SDK v3 client's
 * runtimeConfig imports `defaultProvider` from it statically, which puts the whole default chain
 * (ini/SSO/process/web-identity/IMDS/container providers and the nested STS and SSO-OIDC clients,
 * ~90 KB) on every cold start although Lambda always supplies the function role's credentials in
 * the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN; Lambda developer
 * guide, "Defined runtime environment variables"). Here the default provider is the environment
 * provider and nothing else.
 *
 * Endpoints and region are not credentials: `AWS_REGION` and `AWS_ENDPOINT_URL` /
 * `AWS_ENDPOINT_URL_<SERVICE>` are still resolved by the clients' own config loaders.
 * The CLIs (`bin/`) are not bundled and keep the SDK's full chain (profiles, SSO).
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';

type EnvInit = Parameters<typeof fromEnv>[0];

/** Same name and call shape as credential-provider-node's `defaultProvider` (what the clients call). */
export const defaultProvider = (init?: EnvInit) => fromEnv(init);
