import { describeVetTable } from './vet-table.test-support.js';

describeVetTable('yarn', [
  ['yarn --version', 'ok'],
  ['yarn list --depth=0', 'ok'],
  ['yarn list left-pad', 'usage'],
  ['yarn install', 'subcommand'],
  ['yarn run x', 'subcommand'],
  ['yarn node x.js', 'subcommand'],
  ['yarn list --zzz', 'unknown_option'],
]);
