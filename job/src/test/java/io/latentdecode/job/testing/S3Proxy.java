package io.latentdecode.job.testing;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A real S3 API server on loopback for tests: S3Proxy ({@code target/s3proxy/s3proxy.jar}, copied
 * by the build) as its own JVM, in-memory ({@code transient}) store, path-style access. Its secret
 * key is random per server, so that tests can grep for it.
 */
public final class S3Proxy implements AutoCloseable {
  public static final String ACCESS_KEY = "latent-decode-test";

  private final Process process;
  private final int port;
  private final String secretKey;
  private final S3Client client;

  private S3Proxy(Process process, int port, String secretKey) {
    this.process = process;
    this.port = port;
    this.secretKey = secretKey;
    this.client =
        S3Client.builder()
            .endpointOverride(URI.create(endpoint()))
            .region(Region.US_EAST_1)
            .forcePathStyle(true)
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, secretKey)))
            .httpClient(ApacheHttpClient.create())
            .build();
  }

  public static S3Proxy start(Path workDir) throws Exception {
    Path jar = Path.of("target/s3proxy/s3proxy.jar").toAbsolutePath();
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing: run the build (mvn verify) first");
    }
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    String secret = "s3cr3t-" + UUID.randomUUID();
    Path conf = workDir.resolve("s3proxy.conf");
    Files.createDirectories(workDir);
    Files.writeString(
        conf,
        String.join(
            "\n",
            "s3proxy.endpoint=http://127.0.0.1:" + port,
            "s3proxy.authorization=aws-v2-or-v4",
            "s3proxy.identity=" + ACCESS_KEY,
            "s3proxy.credential=" + secret,
            "jclouds.provider=transient",
            "jclouds.identity=" + ACCESS_KEY,
            "jclouds.credential=" + secret,
            ""));
    String java = ProcessHandle.current().info().command().orElse("java");
    ProcessBuilder builder =
        new ProcessBuilder(
                java, "-Xmx512m", "-jar", jar.toString(), "--properties", conf.toString())
            .redirectErrorStream(true)
            .redirectOutput(new File(workDir.resolve("s3proxy.log").toString()));
    builder.environment().put("LOG_LEVEL", "warn");
    Process process = builder.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!accepts(port)) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        process.destroyForcibly();
        throw new IllegalStateException(
            "S3Proxy did not start: " + Files.readString(workDir.resolve("s3proxy.log")));
      }
      Thread.sleep(100);
    }
    return new S3Proxy(process, port, secret);
  }

  private static boolean accepts(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  public String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  public String secretKey() {
    return secretKey;
  }

  public S3Client client() {
    return client;
  }

  public void createBucket(String bucket) {
    client.createBucket(b -> b.bucket(bucket));
  }

  public void put(String bucket, String key, byte[] bytes) {
    client.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(bytes));
  }

  public byte[] get(String bucket, String key) {
    return client.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray();
  }

  /** Every key under the prefix. */
  public List<String> keys(String bucket, String prefix) {
    List<String> keys = new ArrayList<>();
    for (S3Object o :
        client.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents()) {
      keys.add(o.key());
    }
    return keys;
  }

  /** The {@code --conf} settings that point S3A at this server. */
  public Map<String, String> sparkConf() {
    Map<String, String> conf = new LinkedHashMap<>();
    conf.put("spark.hadoop.fs.s3a.endpoint", endpoint());
    conf.put("spark.hadoop.fs.s3a.endpoint.region", "us-east-1");
    conf.put("spark.hadoop.fs.s3a.path.style.access", "true");
    conf.put("spark.hadoop.fs.s3a.connection.ssl.enabled", "false");
    conf.put("spark.hadoop.fs.s3a.access.key", ACCESS_KEY);
    conf.put("spark.hadoop.fs.s3a.secret.key", secretKey);
    conf.put(
        "spark.hadoop.fs.s3a.aws.credentials.provider",
        "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
    return conf;
  }

  @Override
  public void close() {
    client.close();
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
