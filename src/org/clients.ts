import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { STSClient } from '@aws-sdk/client-sts';
import { makeClient, type NetworkOptions } from '../collect/client-defaults.js';
import { defaultClients, type InventoryClients } from '../collect/inventory.js';
import { defaultUsageClients, type UsageClients } from '../usage/collect.js';
import type { SessionCredentialsProvider } from './session.js';

/**
 * The SDK clients an organisation-wide run uses: the caller's (Organizations, STS for
 * AssumeRole) and, per account, clients signed with that account's session. Inject your own
 * (tests, proxies).
 */
export interface OrganizationClients {
  /** The caller's Organizations client (management account or delegated administrator). */
  organizations(): OrganizationsClient;
  /** The caller's STS: its identity, and AssumeRole into each account. */
  sts(region: string): STSClient;
  /** Inventory clients of one account; `null`: the caller's own credentials. */
  inventory(credentials: SessionCredentialsProvider | null): InventoryClients;
  /** Usage clients of one account; `null`: the caller's own credentials. */
  usage(credentials: SessionCredentialsProvider | null): UsageClients;
}

/**
 * Clients on the standard credential chain for the caller (`profile`), and on each account's
 * assumed-role session for that account. One set of clients per session, so every client of an
 * account shares its session and its refresh. Every client has the timeouts of `network`.
 */
export function defaultOrganizationClients(profile?: string, network?: NetworkOptions): OrganizationClients {
  const base = profile ? { profile } : {};
  const inventory = new Map<SessionCredentialsProvider | null, InventoryClients>();
  const usage = new Map<SessionCredentialsProvider | null, UsageClients>();
  let organizations: OrganizationsClient | undefined;
  return {
    // Organizations is a global service whose endpoint is in us-east-1.
    organizations: () => {
      organizations ??= makeClient(OrganizationsClient, { ...base, region: 'us-east-1' }, network);
      return organizations;
    },
    sts: (region) => makeClient(STSClient, { ...base, region }, network),
    inventory: (credentials) => {
      let clients = inventory.get(credentials);
      if (!clients) {
        clients = defaultClients(profile, credentials ?? undefined, network);
        inventory.set(credentials, clients);
      }
      return clients;
    },
    usage: (credentials) => {
      let clients = usage.get(credentials);
      if (!clients) {
        clients = defaultUsageClients(profile, credentials ?? undefined, network);
        usage.set(credentials, clients);
      }
      return clients;
    },
  };
}
