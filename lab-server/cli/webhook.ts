/**
 * `drydock webhook secret`: prints a new signing secret for the results webhook
 * in the Standard Webhooks form, for DRYDOCK_WEBHOOK_SECRET and the receiver
 * alike. Needs nothing: no configuration, engine or database.
 */
import type { Command } from 'commander';
import { newWebhookSecret } from '../webhooks/webhook-secret.ts';

export function registerWebhook(program: Command): void {
  const webhook = program
    .command('webhook')
    .description('The results webhook that reports each completed task (docs/running-a-class.md)');
  webhook
    .command('secret')
    .description(
      'Prints a new signing secret (whsec_<base64>, 32 random bytes) for DRYDOCK_WEBHOOK_SECRET and the receiver',
    )
    .action(() => {
      process.stdout.write(`${newWebhookSecret()}\n`);
    });
}
