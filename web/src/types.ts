// Shapes of the API's answers the screens use (docs/openapi.yaml).

export type Role = "enterprise_admin" | "senior_admin" | "admin" | "member";

export interface AccountChoice {
  account_id: string;
  name: string;
  enterprise_id: string;
  role: Role;
  terminated: boolean;
}

export interface Permissions {
  flows_edit: boolean;
  flows_publish: boolean;
  logs_view: boolean;
  users_manage: boolean;
}

export interface User {
  user_id: string;
  email: string;
  name: string;
  active: boolean;
  enterprise_id: string;
  roles: { account_id: string; role: Role }[];
}

export interface Session {
  user: User;
  accounts: AccountChoice[];
  account_id: string;
  role: Role | "none";
  permissions: Permissions;
  password_change_required: boolean;
  csrf_token: string;
}

export interface NumberRow {
  incoming_number: string;
  state: "unregistered" | "draft" | "published";
  published: boolean;
  published_at: string;
  version_id: string;
}

export type Step =
  | { kind: "empty" }
  | { kind: "text"; text: string }
  | { kind: "audio"; audio_url: string };

export interface SmsSettings {
  sender_id: string;
  body: string;
  short_urls: boolean;
}

export interface Draft {
  incoming_number: string;
  steps: Record<string, Step>;
  sms: SmsSettings;
  updated_at: string;
  changed_since_publish: boolean;
  sender_ids: string[];
}

export interface PublishedFlow {
  incoming_number: string;
  version_id: string;
  name: string;
  published_at: string;
  steps: Record<string, Step>;
  sms: SmsSettings;
}

export interface SmsPreview {
  length: number;
  sent_length: number;
  url_count: number;
  length_may_differ: boolean;
  segments: { au: number | null; docomo: number | null; softbank: number | null; rakuten: number | null };
  problems: { field: string; code: string; message: string }[];
}

export interface LogRow {
  message_id: string;
  job_id: string;
  kind: string;
  scheduled_at: string;
  sent_at: string;
  incoming_number: string;
  destination: string;
  carrier: string;
  channel: string;
  campaign_id: string;
  campaign: string;
  status: string;
  status_code: string;
  arrival: string;
  opened_at: string;
}

/** One page of the delivery log; `next` continues it (null on the last page). */
export interface LogPage {
  rows: LogRow[];
  more: boolean;
  next: string | null;
}

export interface CallCounts {
  from: string;
  to: string;
  rows: { incoming_number: string; count: number; days: { date: string; count: number }[] }[];
}

export interface Notice {
  notice_id: string;
  kind: "fault" | "maintenance";
  impact: string;
  starts_at: string;
  ends_at: string;
  phase: "upcoming" | "ongoing" | "over";
  window?: string;
  recovery_impact?: string;
}

export interface AccountNotices {
  current: Notice[];
  history: Notice[];
}

export interface UsageCounts {
  messages: number;
  segments: number;
  parts: number;
}

export interface UsageRow extends UsageCounts {
  month: string;
  carrier: string;
  carrier_name: string;
}

export interface Usage {
  account_id: string;
  from: string;
  to: string;
  rows: UsageRow[];
  totals: UsageCounts;
}

export interface AuditRow {
  at: string;
  event: string;
  email: string;
  user_id: string;
  account_id: string;
  ip: string;
  detail: string;
}

export interface AuditTrail {
  rows: AuditRow[];
  more: boolean;
}
