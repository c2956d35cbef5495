// moto stands in for AWS: EKS node groups keep their scaling configuration, and S3 serves a
// presigned GET of what was put.
import test from "ava";
import { randomBytes } from "node:crypto";
import { CreateClusterCommand, CreateNodegroupCommand, DescribeNodegroupCommand, EKSClient, UpdateNodegroupConfigCommand } from "@aws-sdk/client-eks";
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { awsClientConfig, uniqueName } from "../support/sandbox.ts";

test("[integration] moto EKS: a node group's desired size is updated and read back", async (t) => {
  const eks = new EKSClient(awsClientConfig());
  t.teardown(() => eks.destroy());
  const clusterName = uniqueName(t, "cluster");
  const subnets = ["subnet-0a", "subnet-0b"];
  await eks.send(new CreateClusterCommand({
    name: clusterName,
    roleArn: "arn:aws:iam::123456789012:role/eks-cluster",
    resourcesVpcConfig: { subnetIds: subnets },
  }));
  const nodegroupName = "gpu-spot";
  await eks.send(new CreateNodegroupCommand({
    clusterName,
    nodegroupName,
    nodeRole: "arn:aws:iam::123456789012:role/eks-node",
    subnets,
    capacityType: "SPOT",
    instanceTypes: ["g5.xlarge"],
    scalingConfig: { minSize: 0, maxSize: 4, desiredSize: 0 },
  }));

  await eks.send(new UpdateNodegroupConfigCommand({ clusterName, nodegroupName, scalingConfig: { minSize: 0, maxSize: 4, desiredSize: 3 } }));

  const { nodegroup } = await eks.send(new DescribeNodegroupCommand({ clusterName, nodegroupName }));
  t.deepEqual(nodegroup?.scalingConfig, { minSize: 0, maxSize: 4, desiredSize: 3 });
  t.is(nodegroup?.capacityType, "SPOT");
});

test("[integration] moto S3: a presigned GET returns the bytes that were put", async (t) => {
  const s3 = new S3Client({ ...awsClientConfig(), forcePathStyle: true });
  t.teardown(() => s3.destroy());
  const Bucket = uniqueName(t, "images");
  const Key = "users/u1/images/portrait/a.png";
  const body = randomBytes(4096);
  await s3.send(new CreateBucketCommand({ Bucket }));
  await s3.send(new PutObjectCommand({ Bucket, Key, Body: body, ContentType: "image/png" }));

  const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket, Key }), { expiresIn: 60 });
  t.regex(url, /X-Amz-Signature=/);
  const response = await fetch(url);
  t.is(response.status, 200);
  t.is(response.headers.get("content-type"), "image/png");
  t.true(Buffer.from(await response.arrayBuffer()).equals(body));
});
