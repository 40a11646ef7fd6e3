// The HTTP API's request and response types, inferred from the zod schemas in server/schemas/ (the
// schemas also produce /api/openapi.json). The UI imports these with `import type` only.
import type { z } from 'zod';
import type { errorSchema, partitionStatusSchema, reasonSchema, statusCountsSchema } from './schemas/common.ts';
import type { freshnessBatchSchema, freshnessSchema, slaBoardItemSchema, slaBoardSchema, slaStateSchema, slaStatusSchema } from './schemas/freshness.ts';
import type {
  assetDetailSchema,
  assetListSchema,
  assetSummarySchema,
  checkResultViewSchema,
  edgeViewSchema,
  materializationViewSchema,
  partitionGridSchema,
  partitionsResponseSchema,
  partitionViewSchema,
  publishViewSchema,
  statusRangeSchema,
} from './schemas/assets.ts';
import type {
  assetLineageSchema,
  lineageEdgeSchema,
  lineageNodeSchema,
  partitionLineageEdgeSchema,
  partitionLineageNodeSchema,
  partitionLineageSchema,
  partitionRefSchema,
} from './schemas/lineage.ts';
import type {
  backfillListSchema,
  backfillRequestSchema,
  backfillViewSchema,
  cancelResponseSchema,
  launchedRunSchema,
  materializeRequestSchema,
  runDetailSchema,
  runListSchema,
  runStatusSchema,
  runViewSchema,
  stepStatusSchema,
  stepViewSchema,
} from './schemas/runs.ts';
import type { alertDetailSchema, alertEventViewSchema, alertListSchema, alertViewSchema } from './schemas/alerts.ts';
import type { auditEventViewSchema, auditPageSchema, auditReportRowSchema, auditReportSchema, auditRerunSchema, auditSlaOutcomeSchema } from './schemas/audit.ts';
import type { createdTokenSchema, createTokenRequestSchema, roleSchema, tokenListSchema, tokenViewSchema, whoamiSchema } from './schemas/tokens.ts';
import type { partitionsEventSchema, runEventSchema, serverEventSchema, stepEventSchema } from './schemas/events.ts';

/** `fresh | stale | missing | failed | running`. */
export type PartitionStatus = z.infer<typeof partitionStatusSchema>;
/** The planner's reason, or null when fresh. */
export type Reason = z.infer<typeof reasonSchema>;
export type StatusCounts = z.infer<typeof statusCountsSchema>;
/** Every error response: `{ error: { code, message, issues? } }`. */
export type ApiError = z.infer<typeof errorSchema>;

/** GET /api/freshness/{key}. */
export type Freshness = z.infer<typeof freshnessSchema>;
/** GET /api/freshness?assets=… */
export type FreshnessBatch = z.infer<typeof freshnessBatchSchema>;
export type SlaState = z.infer<typeof slaStateSchema>;
export type SlaStatus = z.infer<typeof slaStatusSchema>;
/** GET /api/sla. */
export type SlaBoard = z.infer<typeof slaBoardSchema>;
export type SlaBoardItem = z.infer<typeof slaBoardItemSchema>;

/** GET /api/assets. */
export type AssetList = z.infer<typeof assetListSchema>;
export type AssetSummary = z.infer<typeof assetSummarySchema>;
/** GET /api/assets/{key}. */
export type AssetDetail = z.infer<typeof assetDetailSchema>;
export type EdgeView = z.infer<typeof edgeViewSchema>;
export type MaterializationView = z.infer<typeof materializationViewSchema>;
export type CheckResultView = z.infer<typeof checkResultViewSchema>;
export type PublishView = z.infer<typeof publishViewSchema>;
/** GET /api/assets/{key}/partitions. */
export type PartitionsResponse = z.infer<typeof partitionsResponseSchema>;
export type PartitionView = z.infer<typeof partitionViewSchema>;
export type StatusRange = z.infer<typeof statusRangeSchema>;
/** GET /api/assets/{key}/partitions/grid. */
export type PartitionGrid = z.infer<typeof partitionGridSchema>;

/** GET /api/lineage and GET /api/lineage/{key}. */
export type AssetLineage = z.infer<typeof assetLineageSchema>;
export type LineageNode = z.infer<typeof lineageNodeSchema>;
export type LineageEdge = z.infer<typeof lineageEdgeSchema>;
/** GET /api/lineage/{key}?partition=K. */
export type PartitionLineage = z.infer<typeof partitionLineageSchema>;
export type PartitionLineageNode = z.infer<typeof partitionLineageNodeSchema>;
export type PartitionLineageEdge = z.infer<typeof partitionLineageEdgeSchema>;
export type PartitionRef = z.infer<typeof partitionRefSchema>;

export type RunStatus = z.infer<typeof runStatusSchema>;
export type StepStatus = z.infer<typeof stepStatusSchema>;
/** GET /api/runs. */
export type RunList = z.infer<typeof runListSchema>;
export type RunView = z.infer<typeof runViewSchema>;
/** GET /api/runs/{id}. */
export type RunDetail = z.infer<typeof runDetailSchema>;
/** GET /api/runs/{id}/steps/{stepId}. */
export type StepView = z.infer<typeof stepViewSchema>;
/** POST /api/materialize body. */
export type MaterializeRequest = z.input<typeof materializeRequestSchema>;
/** POST /api/backfills body. */
export type BackfillRequest = z.input<typeof backfillRequestSchema>;
/** 202 from POST /api/materialize, /api/backfills and /api/runs/{id}/retry-failed. */
export type LaunchedRun = z.infer<typeof launchedRunSchema>;
/** 202 from POST /api/runs/{id}/cancel. */
export type CancelResponse = z.infer<typeof cancelResponseSchema>;
/** GET /api/backfills. */
export type BackfillList = z.infer<typeof backfillListSchema>;
export type BackfillView = z.infer<typeof backfillViewSchema>;

/** GET /api/alerts. */
export type AlertList = z.infer<typeof alertListSchema>;
export type AlertView = z.infer<typeof alertViewSchema>;
/** GET /api/alerts/{id}. */
export type AlertDetail = z.infer<typeof alertDetailSchema>;
export type AlertEventView = z.infer<typeof alertEventViewSchema>;

/** GET /api/audit. */
export type AuditPage = z.infer<typeof auditPageSchema>;
export type AuditEventView = z.infer<typeof auditEventViewSchema>;
/** GET /api/audit/report (JSON). */
export type AuditReport = z.infer<typeof auditReportSchema>;
export type AuditReportRow = z.infer<typeof auditReportRowSchema>;
export type AuditRerun = z.infer<typeof auditRerunSchema>;
export type AuditSlaOutcome = z.infer<typeof auditSlaOutcomeSchema>;

export type Role = z.infer<typeof roleSchema>;
/** GET /api/tokens (admin). */
export type TokenList = z.infer<typeof tokenListSchema>;
export type TokenView = z.infer<typeof tokenViewSchema>;
/** POST /api/tokens (admin) body. */
export type CreateTokenRequest = z.infer<typeof createTokenRequestSchema>;
/** 201 from POST /api/tokens: the secret `token` is shown once. */
export type CreatedToken = z.infer<typeof createdTokenSchema>;
/** GET /api/whoami. */
export type Whoami = z.infer<typeof whoamiSchema>;

/** What GET /api/events sends, by SSE event name: `run`, `step`, `partitions`. */
export type ServerEvent = z.infer<typeof serverEventSchema>;
export type RunEvent = z.infer<typeof runEventSchema>;
export type StepEvent = z.infer<typeof stepEventSchema>;
export type PartitionsEvent = z.infer<typeof partitionsEventSchema>;
