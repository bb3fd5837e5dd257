/**
 * Options of a command for `util.parseArgs`, from lists of names: `{ ...stringFlags('config',
 * 'json'), ...booleanFlags('force') }` is `{ config: { type: 'string' }, json: { type: 'string' },
 * force: { type: 'boolean' } }`, typed so that parseArgs types the values.
 */
export function stringFlags<K extends string>(...names: K[]): { [P in K]: { type: 'string' } } {
  return Object.fromEntries(names.map((n) => [n, { type: 'string' }])) as { [P in K]: { type: 'string' } };
}

export function booleanFlags<K extends string>(...names: K[]): { [P in K]: { type: 'boolean' } } {
  return Object.fromEntries(names.map((n) => [n, { type: 'boolean' }])) as { [P in K]: { type: 'boolean' } };
}
