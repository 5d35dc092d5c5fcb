package inflow.tools;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.message.Message;

/**
 * The reference side of bench/rocketmq_produce: RocketMQ's official Java producer sending
 * fixed-size messages with synchronous sends from K threads, one message per request or, with
 * {@code --batch N}, N messages per request (the client's {@code send(Collection)}, i.e.
 * SEND_BATCH_MESSAGE — the same request our producer batches into).
 *
 * <pre>
 * BenchProducer --namesrv HOST:PORT --topic T [--size 1024] [--count 100000] [--threads 4]
 *               [--batch 1] [--send-timeout-ms 15000] [--access-key AK --secret-key SK]
 * </pre>
 *
 * The send timeout (the client's default is 3 s, retries included) is generous because a
 * loaded 2-core CI machine stalls the JVMs for seconds; it does not change a healthy rate.
 *
 * Prints one JSON line on stdout: {"sent","failed","seconds","msgs_per_s","mb_per_s",...}
 * (MB = 10^6 bytes of body), and the same in words on stderr. Exit 0 when nothing failed.
 */
public final class BenchProducer {
  private BenchProducer() {}

  public static void main(String[] argv) {
    int rc;
    try {
      Args args = Args.parse(argv, 0, "namesrv", "topic", "size", "count", "threads",
          "batch", "send-timeout-ms", "access-key", "secret-key");
      rc = run(args);
    } catch (Args.UsageException e) {
      System.err.println("BenchProducer: " + e.getMessage());
      rc = 2;
    } catch (Exception e) {
      System.err.println("BenchProducer: failed: " + Errors.describe(e));
      rc = 1;
    }
    System.out.flush();
    Runtime.getRuntime().halt(rc);
  }

  private static int run(Args args) throws Exception {
    String topic = args.required("topic");
    int size = args.intValue("size", 1024);
    long count = args.intValue("count", 100000);
    int threads = args.intValue("threads", 4);
    int batch = args.intValue("batch", 1);
    if (size < 1 || count < 1 || threads < 1 || batch < 1) {
      throw new Args.UsageException("--size, --count, --threads and --batch must be positive");
    }
    DefaultMQProducer producer = new DefaultMQProducer("inflow_bench_producer", args.aclHook());
    producer.setNamesrvAddr(args.required("namesrv"));
    producer.setInstanceName("bench-" + ProcessHandle.current().pid());
    producer.setSendMsgTimeout(args.intValue("send-timeout-ms", 15000));
    producer.setMqClientApiTimeout(Args.CLIENT_API_TIMEOUT_MS);
    producer.start();
    try {
      byte[] body = new byte[size];
      for (int i = 0; i < size; i++) {
        body[i] = (byte) ('a' + i % 26);
      }
      // One untimed send resolves the route and opens the connection; a stalled name server on
      // a loaded machine gets a few chances. One Message object keeps one UNIQ_KEY, so a retry
      // after a lost response is a duplicate the Verifier recognises, not an extra message.
      Message warmUp = new Message(topic, body);
      for (int attempt = 1; ; attempt++) {
        try {
          producer.send(warmUp);
          break;
        } catch (Exception e) {
          if (attempt == 3) {
            throw e;
          }
          System.err.println("BenchProducer: warm-up send failed, retrying: " + Errors.describe(e));
        }
      }

      AtomicLong sent = new AtomicLong();
      AtomicLong failed = new AtomicLong();
      AtomicLong next = new AtomicLong();
      String[] firstError = new String[1];
      Thread[] workers = new Thread[threads];
      long start = System.nanoTime();
      for (int t = 0; t < threads; t++) {
        workers[t] = new Thread(() -> {
          while (true) {
            // Claim up to `batch` of the remaining messages; stop when none are left.
            long first = next.getAndAdd(batch);
            if (first >= count) {
              break;
            }
            int n = (int) Math.min(batch, count - first);
            try {
              SendResult r;
              if (n == 1) {
                r = producer.send(new Message(topic, body));
              } else {
                List<Message> messages = new ArrayList<>(n);
                for (int k = 0; k < n; k++) {
                  messages.add(new Message(topic, body));
                }
                r = producer.send(messages);
              }
              if (r.getSendStatus() == SendStatus.SEND_OK) {
                sent.addAndGet(n);
              } else {
                failed.addAndGet(n);
              }
            } catch (Exception e) {
              failed.addAndGet(n);
              synchronized (firstError) {
                if (firstError[0] == null) {
                  firstError[0] = Errors.describe(e);
                }
              }
            }
          }
        }, "bench-" + t);
        workers[t].start();
      }
      for (Thread w : workers) {
        w.join();
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      double msgsPerS = sent.get() / seconds;
      double mbPerS = msgsPerS * size / 1e6;
      System.out.printf("{\"tool\":\"BenchProducer\",\"topic\":%s,\"size\":%d,\"threads\":%d,"
          + "\"batch\":%d,\"sent\":%d,\"failed\":%d,\"seconds\":%.3f,\"msgs_per_s\":%.1f,"
          + "\"mb_per_s\":%.2f}%n",
          Json.quote(topic), size, threads, batch, sent.get(), failed.get(), seconds, msgsPerS,
          mbPerS);
      System.err.printf("BenchProducer: %d msgs of %d B in %.3f s: %.1f msgs/s, %.2f MB/s"
          + " (%d failed%s)%n", sent.get(), size, seconds, msgsPerS, mbPerS, failed.get(),
          firstError[0] == null ? "" : ", first error: " + firstError[0]);
      return failed.get() == 0 ? 0 : 1;
    } finally {
      producer.shutdown();
    }
  }
}
