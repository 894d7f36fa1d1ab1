import type { JsonValue } from '../../protocol/index.ts';
import type { ConnectionRecord, PresenceMember } from '../ports/index.ts';

/**
 * What presence shows of a connection: the `user` data `onConnect` attached (read if the record has it: the
 * hooks add the field) and the selected claims the token has. Both stores copy it onto the member entry when
 * the member joins, so a presence read is one read of the member entries and nothing else.
 */
export function memberData(
  record: Pick<ConnectionRecord, 'connectionId' | 'claims'> & { user?: JsonValue },
  claimNames: readonly string[],
): PresenceMember {
  const member: PresenceMember = { connectionId: record.connectionId };
  if (record.user !== undefined) member.user = record.user;
  const claims = record.claims;
  if (claims) {
    const picked: { [key: string]: JsonValue } = {};
    let any = false;
    for (const name of claimNames) {
      if (Object.hasOwn(claims, name) && claims[name] !== undefined) {
        picked[name] = claims[name] as JsonValue;
        any = true;
      }
    }
    if (any) member.claims = picked;
  }
  return member;
}
