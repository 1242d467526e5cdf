// Stopping an instance, the footholds step's only EC2 call, kept apart so that code which plans or
// runs the other actions (the dispatcher's role-session revoke) does not carry the EC2 client.
import { EC2Client, StopInstancesCommand } from '@aws-sdk/client-ec2';

/** Stops one instance in its own region; answers its state before (StopInstances' PreviousState). */
export type StopInstance = (region: string, instanceId: string) => Promise<string | undefined>;

/** {@link StopInstance} through EC2 StopInstances, one client per region. */
export function ec2StopInstance(ec2: (region: string) => EC2Client): StopInstance {
  return async (region, instanceId) => {
    const out = await ec2(region).send(new StopInstancesCommand({ InstanceIds: [instanceId] }));
    return out.StoppingInstances?.[0]?.PreviousState?.Name;
  };
}
