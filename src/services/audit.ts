import type { Request } from 'express';
import type { Sequelize, Transaction } from 'sequelize';
import { statements } from '../db/prepared';

export interface Actor {
  id: number | null;
  ip?: string | null;
}

/** The logged-in user behind a request, as the audit trail records them. */
export function actorOf(req: Request): Actor & { id: number } {
  return { id: req.user!.id, ip: req.ip ?? null };
}

/** Records who did what to which record. Pass the transaction of the change it describes. */
export async function recordAudit(
  sequelize: Sequelize,
  actor: Actor,
  action: string,
  entity: { type: string; id: number | null },
  details: Record<string, unknown> | null,
  transaction?: Transaction,
): Promise<void> {
  // One prepared INSERT: every write of the app records one or more of these inside its transaction.
  await statements(sequelize).run(
    `INSERT INTO audit_events (actor_id, action, entity_type, entity_id, details, ip, created_at)
     VALUES (:actorId, :action, :entityType, :entityId, :details, :ip, :now)`,
    {
      actorId: actor.id,
      action,
      entityType: entity.type,
      entityId: entity.id,
      details: details ? JSON.stringify(details) : null,
      ip: actor.ip ?? null,
      now: new Date(),
    },
    transaction,
  );
}
