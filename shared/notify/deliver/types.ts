export type DestinationName = 'slack' | 'teams' | 'sns';

/** What happened when one message went to one destination. Never contains a webhook URL. */
export interface DeliveryResult {
  destination: DestinationName;
  ok: boolean;
  attempts: number;
  /** Last HTTP status seen, when there was one. */
  status?: number;
  error?: string;
}
