import type { AccountService } from '../../application/account-service';
import type { AuditService } from '../../application/audit-service';
import type { GenerationService } from '../../application/generation-service';
import type { SecretRotationService } from '../../application/secret-rotation';
import type { AccountReadModel, RecordReadModel } from '../../ports/read-models';
import type { HttpLogger } from '../logger';

/** What the route handlers work with. */
export interface RouteServices {
  accounts: AccountService;
  generations: GenerationService;
  audit: AuditService;
  /** Re-seals sessions after a SECRET_KEYS rotation; its route is left out without it. */
  secretRotation?: SecretRotationService;
  readModels: AccountReadModel & RecordReadModel;
  logger: HttpLogger;
  /** Items of one batch in flight at once. */
  batchConcurrency: number;
}
