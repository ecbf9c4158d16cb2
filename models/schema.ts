// Row types of every table, as Kysely sees them (CamelCasePlugin: snake_case in SQL, camelCase here).
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

type CreatedAt = ColumnType<Date, Date | undefined, never>;
type UpdatedAt = ColumnType<Date, Date | undefined, Date>;

export type PlatformStatus = 'pending' | 'active' | 'disabled';
export type PlatformProduct = 'moodle' | 'canvas' | 'other';
/** What happens when a launch names a deployment id the platform has not listed. */
export type DeploymentPolicy = 'strict' | 'record' | 'approve';
export type TenantStatus = 'active' | 'pending' | 'disabled';
export type MembershipRole = 'learner' | 'facilitator' | 'observer';
export type MembershipStatus = 'active' | 'inactive';

export interface PlatformsTable {
  id: Generated<string>;
  issuer: string;
  clientId: string;
  name: string;
  product: PlatformProduct;
  authEndpoint: string;
  tokenEndpoint: string;
  jwksUri: string;
  authorizationServer: string | null;
  status: PlatformStatus;
  deploymentPolicy: DeploymentPolicy;
  /** Origins allowed to frame the tool (CSP frame-ancestors): where the LMS's pages live. */
  frameOrigins: ColumnType<string[], string[] | undefined, string[]>;
  /** Key id of the tool's own key pair for this registration (one key per platform). */
  toolKid: string;
  registeredVia: 'dynamic' | 'manual';
  /** The built-in demo platform (server/demo/): its tenant holds made-up people. */
  demo: ColumnType<boolean, boolean | undefined, boolean>;
  createdAt: CreatedAt;
  updatedAt: UpdatedAt;
}

/** A tenant is one deployment of the tool on one platform: (issuer, client id, deployment id). */
export interface TenantsTable {
  id: Generated<string>;
  platformId: string;
  deploymentId: string;
  status: TenantStatus;
  /** The language of its people's pages when neither they nor their launch say (a shipped locale). */
  defaultLocale: ColumnType<string, string | undefined, string>;
  createdAt: CreatedAt;
}

export interface CohortsTable {
  tenantId: string;
  id: Generated<string>;
  contextId: string;
  title: string;
  label: string | null;
  nrpsUrl: string | null;
  rosterSyncedAt: Date | null;
  createdAt: CreatedAt;
  updatedAt: UpdatedAt;
  /** The edition version the cohort runs; null: the default edition (content/). */
  editionVersionId: ColumnType<string | null, string | null | undefined, string | null>;
  /** The language of its workshop content (the default edition's, or its edition's): a content language. */
  language: ColumnType<string, string | undefined, string>;
}

export interface PersonsTable {
  tenantId: string;
  id: Generated<string>;
  sub: string;
  name: string | null;
  givenName: string | null;
  familyName: string | null;
  email: string | null;
  /** The anonymous person an erasure left in place of an erased one (see erasure.service.ts). */
  formerParticipant: ColumnType<boolean, boolean | undefined, boolean>;
  /** Their own choice of language (null: follow the LMS). */
  locale: ColumnType<string | null, string | null | undefined, string | null>;
  /** Their last launch's locale, matched to a language we ship (null: the LMS sent none we have). */
  launchLocale: ColumnType<string | null, string | null | undefined, string | null>;
  createdAt: CreatedAt;
  updatedAt: UpdatedAt;
}

export interface MembershipsTable {
  tenantId: string;
  id: Generated<string>;
  cohortId: string;
  personId: string;
  role: MembershipRole;
  lmsRoles: ColumnType<string[], string[] | undefined, string[]>;
  status: ColumnType<MembershipStatus, MembershipStatus | undefined, MembershipStatus>;
  firstLaunchAt: Date | null;
  lastLaunchAt: Date | null;
  createdAt: CreatedAt;
}

/** ltijs's own documents (its 7-method DB plugin interface), one JSONB row each. */
export interface LtiDocumentsTable {
  id: Generated<string>;
  collection: string;
  doc: ColumnType<unknown, string, string>;
  createdAt: CreatedAt;
}

/** The state and nonce this tool issued at each OIDC login, consumed once by the launch. */
export interface LtiLoginsTable {
  state: string;
  nonce: string;
  createdAt: CreatedAt;
}

/** A verified launch waiting to be opened in a new window (its browser keeps no cookie in the frame). */
export interface LaunchHandoversTable {
  tokenHash: Buffer;
  launch: ColumnType<import('../server/launch-context.ts').LaunchContext, string, never>;
  returnTo: string;
  expiresAt: Date;
  createdAt: CreatedAt;
}

export interface AdminUsersTable {
  id: Generated<string>;
  email: string;
  passwordHash: string;
  createdAt: CreatedAt;
  lastLoginAt: Date | null;
}

export interface ResourceLinksTable {
  tenantId: string;
  resourceLinkId: string;
  cohortId: string;
  title: string | null;
  moduleId: number | null;
  lineitemUrl: string | null;
  lineitemsUrl: string | null;
  agsScopes: ColumnType<string[], string[] | undefined, string[]>;
  /** When the scores learners earned before this link could take them were queued (once). */
  gradesBackfilledAt: ColumnType<Date | null, Date | null | undefined, Date | null>;
  createdAt: CreatedAt;
  updatedAt: UpdatedAt;
}

export interface ModuleSchedulesTable {
  tenantId: string;
  cohortId: string;
  moduleId: number;
  opensAt: Date;
  updatedAt: UpdatedAt;
}

export type ResponseStatus = 'draft' | 'submitted';

export interface ActivityResponsesTable {
  tenantId: string;
  id: Generated<string>;
  cohortId: string;
  membershipId: string;
  moduleId: number;
  activityId: string;
  kind: string;
  status: ResponseStatus;
  content: ColumnType<Record<string, unknown>, string, string>;
  shared: ColumnType<boolean, boolean | undefined, boolean>;
  createdAt: CreatedAt;
  updatedAt: UpdatedAt;
  submittedAt: Date | null;
}

export interface ModuleCompletionsTable {
  tenantId: string;
  membershipId: string;
  moduleId: number;
  cohortId: string;
  completedAt: ColumnType<Date, Date | undefined, never>;
}

export type GradeStatus = 'pending' | 'delivered' | 'failed';

export interface GradeOutboxTable {
  tenantId: string;
  id: Generated<string>;
  membershipId: string;
  resourceLinkId: string;
  payload: ColumnType<Record<string, unknown>, string, string>;
  scoreTimestamp: Date;
  status: ColumnType<GradeStatus, GradeStatus | undefined, GradeStatus>;
  attempts: ColumnType<number, number | undefined, number>;
  lastError: string | null;
  createdAt: CreatedAt;
  deliveredAt: Date | null;
}

export interface GroupsTable {
  tenantId: string;
  id: Generated<string>;
  cohortId: string;
  name: string;
  createdAt: CreatedAt;
}

export interface GroupMembersTable {
  tenantId: string;
  membershipId: string;
  groupId: string;
  addedAt: CreatedAt;
}

export interface SpacesTable {
  tenantId: string;
  id: Generated<string>;
  cohortId: string;
  groupId: string | null;
  moduleId: number | null;
  createdAt: CreatedAt;
}

export interface ThreadsTable {
  tenantId: string;
  id: Generated<string>;
  spaceId: string;
  authorMembershipId: string;
  title: string;
  createdAt: CreatedAt;
  lastPostAt: ColumnType<Date, Date | undefined, Date>;
  pinnedAt: Date | null;
  lockedAt: Date | null;
  /** Kept by triggers on posts (migration T1700), never written by the app. */
  replyCount: Generated<number>;
  lastReplyAt: Generated<Date | null>;
  lastReplyMembershipId: Generated<string | null>;
  participantCount: Generated<number>;
  participantIds: Generated<string[]>;
}

export type PostStatus = 'visible' | 'hidden' | 'deleted';

export interface PostsTable {
  tenantId: string;
  id: Generated<string>;
  threadId: string;
  spaceId: string;
  parentPostId: string | null;
  authorMembershipId: string;
  bodySource: string;
  bodyHtml: string;
  status: ColumnType<PostStatus, PostStatus | undefined, PostStatus>;
  createdAt: CreatedAt;
  editedAt: Date | null;
  /** Why a facilitator hid or removed it (shown to its author). */
  moderationReason: string | null;
  facilitatorEditedAt: Date | null;
  endorsedAt: Date | null;
}

export interface PostRevisionsTable {
  tenantId: string;
  id: Generated<string>;
  postId: string;
  bodySource: string;
  bodyHtml: string;
  replacedByMembershipId: string;
  replacedAt: CreatedAt;
}

export interface KudosTable {
  tenantId: string;
  id: Generated<string>;
  postId: string;
  fromMembershipId: string;
  toMembershipId: string;
  reason: string;
  createdAt: CreatedAt;
}

export interface NotificationsTable {
  tenantId: string;
  id: Generated<string>;
  membershipId: string;
  kind: 'mention' | 'flag' | 'reply' | 'kudos' | 'partner-request' | 'plan-comment';
  actorMembershipId: string;
  /** A post's notification names its thread and post; a plan's (partner request, comment) its plan. */
  threadId: string | null;
  postId: string | null;
  planId: string | null;
  createdAt: CreatedAt;
  readAt: Date | null;
  emailedAt: Date | null;
}

/** A person's profile in a tenant (shared by all their cohorts there); `search` is generated by PostgreSQL. */
export interface ProfilesTable {
  tenantId: string;
  personId: string;
  skills: ColumnType<string, string | undefined, string>;
  interests: ColumnType<string, string | undefined, string>;
  canHelpWith: ColumnType<string, string | undefined, string>;
  searchAllCohorts: ColumnType<boolean, boolean | undefined, boolean>;
  search: ColumnType<string, never, never>;
  updatedAt: UpdatedAt;
}

export interface GroupNormVersionsTable {
  tenantId: string;
  groupId: string;
  version: number;
  norms: string[];
  membershipId: string;
  createdAt: CreatedAt;
}

export interface PostDraftsTable {
  tenantId: string;
  membershipId: string;
  /** `space:<id>` for a new thread there, `thread:<id>` for a reply. */
  target: string;
  title: ColumnType<string, string | undefined, string>;
  body: string;
  updatedAt: ColumnType<Date, Date | undefined, Date>;
}

/** A file attached to a post, or pending (kept with the draft of `draftTarget`) until its post is written. */
export type AttachmentKind = 'image' | 'document' | 'video';
export interface AttachmentsTable {
  tenantId: string;
  id: Generated<string>;
  cohortId: string;
  membershipId: string;
  postId: string | null;
  draftTarget: string | null;
  /** A profile photo: the person it shows (postId and draftTarget null). */
  photoOf: ColumnType<string | null, string | null | undefined, string | null>;
  /** A file on a module activity's response (evidence of practice, a curation). */
  responseId: ColumnType<string | null, string | null | undefined, string | null>;
  /** A file on a check-in of an action plan. */
  checkInId: ColumnType<string | null, string | null | undefined, string | null>;
  state: ColumnType<'uploading' | 'ready', 'uploading' | 'ready' | undefined, 'uploading' | 'ready'>;
  kind: AttachmentKind;
  contentType: string;
  fileName: string;
  sizeBytes: ColumnType<string, number | undefined, number>;
  thumbSizeBytes: ColumnType<string | null, number | null | undefined, number | null>;
  width: number | null;
  height: number | null;
  contentHash: string | null;
  hiddenAt: Date | null;
  hiddenReason: string | null;
  createdAt: CreatedAt;
}

export interface MediaChunksTable {
  tenantId: string;
  attachmentId: string;
  variant: 'full' | 'thumb';
  seq: number;
  data: Buffer;
}

export interface MediaDeletionsTable {
  tenantId: string;
  attachmentId: string;
  deletedAt: CreatedAt;
}

export interface EmailOptOutsTable {
  tenantId: string;
  personId: string;
  topic: string;
  createdAt: CreatedAt;
}

export interface RateLimitsTable {
  key: string;
  hits: number;
  resetAt: Date;
}

/** A cohort's course end date and the weeks after it when check-ins fall. */
export interface ActionPlanSchedulesTable {
  tenantId: string;
  cohortId: string;
  endsOn: ColumnType<Date, string, string>;
  checkInWeeks: ColumnType<number[], number[] | undefined, number[]>;
  updatedAt: UpdatedAt;
}

export type PlanVisibility = 'cohort' | 'group' | 'private';
export interface PlanGoal {
  title: string;
  actions: string[];
  dueOn: string;
  success: string;
  support: string;
}

export interface ActionPlansTable {
  tenantId: string;
  id: Generated<string>;
  cohortId: string;
  membershipId: string;
  goals: ColumnType<PlanGoal[], string, string>;
  visibility: PlanVisibility;
  status: 'draft' | 'submitted';
  shareCheckInsWithManager: ColumnType<boolean, boolean | undefined, boolean>;
  createdAt: CreatedAt;
  updatedAt: UpdatedAt;
  submittedAt: Date | null;
  /** The owner's edit of a submitted plan that failed its checks (the form's fields), kept for them only. */
  pendingEdit: ColumnType<Array<[string, string]> | null, string | null | undefined, string | null>;
}

export interface ActionPlanPartnersTable {
  tenantId: string;
  planId: string;
  partnerMembershipId: string;
  status: ColumnType<'asked' | 'accepted' | 'declined', 'asked' | undefined, 'accepted' | 'declined'>;
  createdAt: CreatedAt;
  respondedAt: Date | null;
}

export type SignedLinkPurpose = 'sign-in' | 'manager-view' | 'export-download';
export interface SignedLinksTable {
  tenantId: string;
  id: Generated<string>;
  purpose: SignedLinkPurpose;
  subjectId: string;
  cohortId: string;
  tokenHash: Buffer;
  singleUse: boolean;
  returnTo: string | null;
  expiresAt: Date;
  usedAt: Date | null;
  revokedAt: Date | null;
  createdAt: CreatedAt;
}

export interface ManagerInvitesTable {
  tenantId: string;
  id: Generated<string>;
  planId: string;
  email: string;
  status: ColumnType<'active' | 'revoked', 'active' | undefined, 'revoked'>;
  acknowledgedAt: Date | null;
  emailsStoppedAt: Date | null;
  createdAt: CreatedAt;
  revokedAt: Date | null;
}

export type CheckInProgress = 'done' | 'in-progress' | 'blocked';
export interface CheckInEntry {
  goal: number;
  action: number;
  text: string;
  status: CheckInProgress;
  note: string;
}

export interface CheckInsTable {
  tenantId: string;
  id: Generated<string>;
  planId: string;
  seq: number;
  entries: ColumnType<CheckInEntry[], string, string>;
  journal: ColumnType<string, string | undefined, string>;
  /** The learner shared this journal entry with their partners and manager (private by default). */
  journalShared: ColumnType<boolean, boolean | undefined, boolean>;
  createdAt: CreatedAt;
}

export interface CheckInRemindersTable {
  tenantId: string;
  planId: string;
  seq: number;
  kind: 'scheduled' | 'missed';
  sentAt: CreatedAt;
}

export interface ActionPlanCommentsTable {
  tenantId: string;
  id: Generated<string>;
  planId: string;
  checkInId: string | null;
  authorMembershipId: string | null;
  managerInviteId: string | null;
  kind: ColumnType<'comment' | 'acknowledged' | 'conversation', 'comment' | 'acknowledged' | 'conversation' | undefined, never>;
  body: ColumnType<string, string | undefined, never>;
  createdAt: CreatedAt;
}

export type FlagStatus = 'open' | 'dismissed' | 'resolved';
export interface PostFlagsTable {
  tenantId: string;
  id: Generated<string>;
  cohortId: string;
  postId: string;
  membershipId: string;
  reason: string;
  status: ColumnType<FlagStatus, FlagStatus | undefined, FlagStatus>;
  createdAt: CreatedAt;
  closedAt: Date | null;
}

export type ModerationActionKind = 'hide' | 'restore' | 'delete' | 'edit' | 'pin' | 'unpin' | 'lock' | 'unlock' | 'endorse' | 'unendorse' | 'dismiss-flag' | 'mute' | 'unmute' | 'announce';
export type ModerationTargetKind = 'post' | 'thread' | 'flag' | 'membership' | 'announcement' | 'attachment';
/** The audit log of facilitator actions. */
export interface ModerationActionsTable {
  tenantId: string;
  id: Generated<string>;
  cohortId: string;
  actorMembershipId: string;
  action: ModerationActionKind;
  targetKind: ModerationTargetKind;
  targetId: string;
  subjectMembershipId: string | null;
  reason: string | null;
  createdAt: CreatedAt;
}

export interface MemberMutesTable {
  tenantId: string;
  id: Generated<string>;
  cohortId: string;
  membershipId: string;
  until: Date | null;
  reason: string;
  mutedByMembershipId: string;
  createdAt: CreatedAt;
  liftedAt: Date | null;
}

export interface AnnouncementsTable {
  tenantId: string;
  id: Generated<string>;
  cohortId: string;
  groupId: string | null;
  authorMembershipId: string;
  title: string;
  body: string;
  createdAt: CreatedAt;
}

export interface AnnouncementEmailsTable {
  tenantId: string;
  announcementId: string;
  personId: string;
  sentAt: CreatedAt;
}

/** A cohort's dashboard settings (quiet after N days; names in the network picture). */
export interface CohortAnalyticsSettingsTable {
  tenantId: string;
  cohortId: string;
  quietDays: ColumnType<number, number | undefined, number>;
  showNames: ColumnType<boolean, boolean | undefined, boolean>;
  /** Off: no network picture and no Community of Inquiry by person for this cohort (aggregates stay). */
  relationshipAnalytics: ColumnType<boolean, boolean | undefined, boolean>;
  updatedAt: UpdatedAt;
}

/** A facilitator's nudge to a quiet learner (one per learner per UTC day). */
export interface NudgesTable {
  tenantId: string;
  id: Generated<string>;
  cohortId: string;
  membershipId: string;
  sentByMembershipId: string;
  message: string;
  nudgedOn: ColumnType<Date, string, never>;
  createdAt: CreatedAt;
  dismissedAt: Date | null;
  emailedAt: Date | null;
}

export interface Database {
  platforms: PlatformsTable;
  tenants: TenantsTable;
  cohorts: CohortsTable;
  persons: PersonsTable;
  memberships: MembershipsTable;
  ltiDocuments: LtiDocumentsTable;
  ltiLogins: LtiLoginsTable;
  launchHandovers: LaunchHandoversTable;
  adminUsers: AdminUsersTable;
  rateLimits: RateLimitsTable;
  resourceLinks: ResourceLinksTable;
  moduleSchedules: ModuleSchedulesTable;
  activityResponses: ActivityResponsesTable;
  moduleCompletions: ModuleCompletionsTable;
  gradeOutbox: GradeOutboxTable;
  groups: GroupsTable;
  groupMembers: GroupMembersTable;
  spaces: SpacesTable;
  threads: ThreadsTable;
  posts: PostsTable;
  postRevisions: PostRevisionsTable;
  kudos: KudosTable;
  profiles: ProfilesTable;
  notifications: NotificationsTable;
  emailOptOuts: EmailOptOutsTable;
  groupNormVersions: GroupNormVersionsTable;
  postDrafts: PostDraftsTable;
  attachments: AttachmentsTable;
  mediaChunks: MediaChunksTable;
  mediaDeletions: MediaDeletionsTable;
  actionPlanSchedules: ActionPlanSchedulesTable;
  actionPlans: ActionPlansTable;
  actionPlanPartners: ActionPlanPartnersTable;
  signedLinks: SignedLinksTable;
  managerInvites: ManagerInvitesTable;
  checkIns: CheckInsTable;
  checkInReminders: CheckInRemindersTable;
  actionPlanComments: ActionPlanCommentsTable;
  cohortAnalyticsSettings: CohortAnalyticsSettingsTable;
  nudges: NudgesTable;
  postFlags: PostFlagsTable;
  moderationActions: ModerationActionsTable;
  memberMutes: MemberMutesTable;
  announcements: AnnouncementsTable;
  announcementEmails: AnnouncementEmailsTable;
  demoPlatformKeys: DemoPlatformKeysTable;
  demoScores: DemoScoresTable;
  personalExports: PersonalExportsTable;
  personalExportChunks: PersonalExportChunksTable;
  privacyNotices: PrivacyNoticesTable;
  erasures: ErasuresTable;
  tenantPrivacySettings: TenantPrivacySettingsTable;
  retentionErasures: RetentionErasuresTable;
  retentionWarnings: RetentionWarningsTable;
  editions: EditionsTable;
  editionVersions: EditionVersionsTable;
  programmeCohortSnapshots: ProgrammeCohortSnapshotsTable;
  namedRoles: NamedRolesTable;
  relationshipGoals: RelationshipGoalsTable;
}

/** A tenant's edition of the workshop; `forNewCohorts`: the one a course's first launch runs. */
export interface EditionsTable {
  tenantId: string;
  id: Generated<string>;
  name: string;
  forNewCohorts: ColumnType<boolean, boolean | undefined, boolean>;
  /** The language it is written in (a content language). */
  language: ColumnType<string, string | undefined, string>;
  createdAt: CreatedAt;
}

/** An edition's draft or published version: its content (EditionContent) as JSON. */
export interface EditionVersionsTable {
  tenantId: string;
  id: Generated<string>;
  editionId: string;
  number: number;
  status: 'draft' | 'published';
  content: ColumnType<unknown, string, string>;
  revision: ColumnType<number, number | undefined, number>;
  createdAt: CreatedAt;
  updatedAt: UpdatedAt;
  publishedAt: Date | null;
}

/** The audit log of erasures: a keyed hash of the LMS user id, never who they were. */
export interface ErasuresTable {
  tenantId: string;
  id: Generated<string>;
  subjectHash: string;
  requestedBy: 'person' | 'tool-admin';
  adminUserId: string | null;
  postsPolicy: PostsOnErasure;
  memberships: number;
  postsKept: number;
  postsDeleted: number;
  erasedAt: CreatedAt;
}

/** What an erasure does with the person's posts: keep them under "A former participant", or delete them. */
export type PostsOnErasure = 'keep' | 'delete';
export interface TenantPrivacySettingsTable {
  tenantId: string;
  postsOnErasure: ColumnType<PostsOnErasure, PostsOnErasure | undefined, PostsOnErasure>;
  /** Months a cohort's data is kept after its end or last check-in (the later); null: until erased by hand. */
  retentionMonths: ColumnType<number | null, number | null | undefined, number | null>;
  updatedAt: UpdatedAt;
}

/** A cohort erased by retention: progress while it runs (resumable), then the record that it went. */
export interface RetentionErasuresTable {
  tenantId: string;
  cohortId: string;
  expiredAt: Date;
  startedAt: CreatedAt;
  chunks: ColumnType<number, number | undefined, number>;
  rowsDeleted: ColumnType<string, number | undefined, number>;
  finishedAt: Date | null;
}

/** The once-only warning to a cohort's facilitators a week before retention erases it. */
export interface RetentionWarningsTable {
  tenantId: string;
  cohortId: string;
  expiresAt: Date;
  sentAt: CreatedAt;
}

/** A person's own export (a zip built by a job, kept as chunks until it expires). */
export interface PersonalExportsTable {
  tenantId: string;
  id: Generated<string>;
  personId: string;
  /** Where it was asked for; with scope 'cohort' also the one cohort it holds. */
  cohortId: string;
  scope: 'cohort' | 'all';
  status: ColumnType<'queued' | 'ready' | 'failed', 'queued' | undefined, 'ready' | 'failed'>;
  sizeBytes: ColumnType<string | null, never, number>;
  requestedAt: CreatedAt;
  readyAt: Date | null;
  expiresAt: Date;
}

export interface PersonalExportChunksTable {
  tenantId: string;
  exportId: string;
  seq: number;
  data: Buffer;
}

/** A tenant's own privacy notice (Markdown source and its sanitised HTML). */
export interface PrivacyNoticesTable {
  tenantId: string;
  bodySource: string;
  bodyHtml: string;
  updatedAt: UpdatedAt;
}

/** The demo platform's signing key per issuer (private key sealed). */
export interface DemoPlatformKeysTable {
  issuer: string;
  kid: string;
  privateKey: string;
  publicJwk: string;
  createdAt: CreatedAt;
}

/** The demo platform's gradebook: the last score per line item and user. */
export interface DemoScoresTable {
  issuer: string;
  lineItem: string;
  userSub: string;
  scoreGiven: number | null;
  scoreMaximum: number | null;
  activityProgress: string;
  gradingProgress: string;
  comment: string | null;
  scoredAt: Date;
  receivedAt: CreatedAt;
}

export type Platform = Selectable<PlatformsTable>;
export type NewPlatform = Insertable<PlatformsTable>;
export type PlatformUpdate = Updateable<PlatformsTable>;
export type Tenant = Selectable<TenantsTable>;
export type Cohort = Selectable<CohortsTable>;
export type Edition = Selectable<EditionsTable>;
export type EditionVersion = Selectable<EditionVersionsTable>;
export type Person = Selectable<PersonsTable>;
export type Membership = Selectable<MembershipsTable>;
export type AdminUser = Selectable<AdminUsersTable>;
export type ResourceLink = Selectable<ResourceLinksTable>;
export type ActivityResponse = Selectable<ActivityResponsesTable>;
export type GradeOutboxRow = Selectable<GradeOutboxTable>;
export type Group = Selectable<GroupsTable>;
export type Space = Selectable<SpacesTable>;
export type Thread = Selectable<ThreadsTable>;
export type Post = Selectable<PostsTable>;
export type Attachment = Selectable<AttachmentsTable>;

/** The programme view's figures of one cohort (counts only), kept by the programme-snapshots job. */
export interface ProgrammeCohortSnapshotsTable {
  tenantId: string;
  cohortId: string;
  /** pg_snapshot as text: the figures see every change it sees. */
  snapshot: string;
  refreshedAt: Date;
  figures: ColumnType<unknown, string, string>;
}

/** A tenant role the tool admin names people to (CONTEXT.md "named role"), besides the LMS's roles at launch. */
export type NamedRole = 'programme-lead' | 'content-editor';

/** Someone the tool admin named to a role of a tenant: by LMS user id or by email (lower case), one of the two. */
export interface NamedRolesTable {
  tenantId: string;
  id: Generated<string>;
  role: NamedRole;
  lmsUserId: string | null;
  email: string | null;
  createdAt: CreatedAt;
}

/** A programme lead's relationship goal for the tenant (server/programme/comparisons.ts GOAL_KINDS). */
export interface RelationshipGoalsTable {
  tenantId: string;
  id: Generated<string>;
  kind: 'cross-group-ties' | 'check-in-share' | 'isolated-share';
  thresholdPercent: number;
  at: number;
  createdAt: CreatedAt;
}
