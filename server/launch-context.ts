// Who is acting, where: what a service needs to know about the person behind a request. Built from a
// verified LTI launch, kept in our session (one per cohort the person launched into).
import type { MembershipRole } from '../models/schema.ts';
import type { DeepLinkingRequest } from '../lti/deep-linking.ts';

export interface LaunchContext {
  tenantId: string;
  platformId: string;
  cohortId: string;
  personId: string;
  membershipId: string;
  role: MembershipRole;
  displayName: string;
  /** The platform user (issuer + sub) the launch was for: a session keeps only launches of one of them. */
  issuer: string;
  sub: string;
  launchedAt: string;
  /** The person's language at this launch (their choice, else the LMS's, else the deployment's); the profile's choice updates it. */
  locale?: string | undefined;
  /** The LMS link this launch came through (grades for it go to its line item). */
  resourceLinkId?: string | undefined;
  /**
   * A programme lead of the tenant by this launch's roles (the LMS's institution or system
   * Administrator): may open the tenant's programme view. Names given by the tool admin are looked up there.
   */
  programmeLead?: boolean | undefined;
  /** Named a programme lead by the tool admin when this launch happened (the console's link; access is looked up at each request). */
  namedProgrammeLead?: boolean | undefined;
  /** A content editor of the tenant's editions by this launch's roles (the LMS's Content Developer or Administrator). */
  contentEditor?: boolean | undefined;
  /** Named a content editor by the tool admin when this launch happened (the console's link; access is looked up at each request). */
  namedContentEditor?: boolean | undefined;
  /** The LMS's way back to the course (its launch_presentation.return_url), for the header's link. */
  returnUrl?: string | undefined;
  /** Set by a deep linking launch: where and how to answer the LMS with the chosen content. */
  deepLinking?: DeepLinkingRequest | undefined;
}

/** Our session's user: the cohorts this browser launched into, and a tool admin if one signed in. */
export interface SessionUser {
  launches: Record<string, LaunchContext>;
  adminId?: string;
}
