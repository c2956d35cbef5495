/**
 * SDK clients for the node-group adapter. Credentials and region come from the SDK's standard
 * chain (environment, web identity / EKS Pod Identity, profile); the endpoint from
 * `AWS_ENDPOINT_URL` when set (the SDK reads it too), which is how tests reach moto.
 *
 * Retries: the SDK's adaptive mode retries throttling and transient errors with exponential
 * backoff and slows the client down while the service throttles; the resize token keeps a
 * retried UpdateNodegroupConfig a single update.
 */
import { AutoScalingClient } from "@aws-sdk/client-auto-scaling";
import { EC2Client } from "@aws-sdk/client-ec2";
import { EKSClient } from "@aws-sdk/client-eks";

/** Settings of the AWS clients. */
export interface AwsClientOptions {
  /** @default the SDK's chain (AWS_REGION, profile, instance metadata) */
  region?: string | undefined;
  /** @default AWS_ENDPOINT_URL, else the real AWS endpoints */
  endpoint?: string | undefined;
  /** Attempts per call including the first. @default 5 */
  maxAttempts?: number | undefined;
}

/** The three clients the adapter uses. */
export interface AwsClients {
  eks: EKSClient;
  ec2: EC2Client;
  autoScaling: AutoScalingClient;
}

/** Builds the clients; `destroy()` them when done to close sockets. */
export function createAwsClients(options: AwsClientOptions = {}): AwsClients {
  const config = {
    ...(options.region ? { region: options.region } : {}),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    maxAttempts: options.maxAttempts ?? 5,
    retryMode: "adaptive",
  };
  return { eks: new EKSClient(config), ec2: new EC2Client(config), autoScaling: new AutoScalingClient(config) };
}

/** Closes the clients' sockets. */
export function destroyAwsClients(clients: AwsClients): void {
  clients.eks.destroy();
  clients.ec2.destroy();
  clients.autoScaling.destroy();
}
