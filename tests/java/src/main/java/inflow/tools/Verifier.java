package inflow.tools;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.rocketmq.client.consumer.DefaultMQPullConsumer;
import org.apache.rocketmq.client.consumer.PullResult;
import org.apache.rocketmq.common.message.MessageConst;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;

/**
 * The test oracle: reads a topic from the beginning with the official Java client and prints
 * one JSON line per distinct message, exactly as RocketMQ's own consumer sees it (zlib bodies
 * are decompressed by the client).
 *
 * <pre>
 * Verifier consume --namesrv HOST:PORT --topic T (--expect N | --at-least N) --timeout-s S
 *                  [--group G] [--access-key AK --secret-key SK]
 * </pre>
 *
 * With --at-least, more than N distinct messages is no failure: every queue is read to its end
 * once N were seen (a producer that re-sends after a crash gives the copies new msgIds).
 *
 * Exit code 0 when exactly N distinct messages (by msgId) were read and every queue was read up
 * to its end within S seconds of finding the topic's route (finding it may take up to
 * max(S, 20) s); 1 when the count differs or there is no route (reason on stderr); 2 on usage
 * errors.
 */
public final class Verifier {
  private static final String TRANSIENT_PREFIX = "__RMQ.TRANSIENT.";
  private static final int PULL_BATCH = 1024;
  private static final int ROUTE_TIMEOUT_S = 20;

  private Verifier() {}

  public static void main(String[] argv) {
    int rc;
    try {
      if (argv.length < 1 || !argv[0].equals("consume")) {
        throw new Args.UsageException("usage: Verifier consume --namesrv HOST:PORT --topic T"
            + " --expect N --timeout-s S [--group G] [--access-key AK --secret-key SK]");
      }
      Args args = Args.parse(argv, 1, "namesrv", "topic", "expect", "at-least", "timeout-s",
          "group", "access-key", "secret-key");
      rc = consume(args);
    } catch (Args.UsageException e) {
      System.err.println("Verifier: " + e.getMessage());
      rc = 2;
    } catch (Exception e) {
      System.err.println("Verifier: failed: " + Errors.describe(e));
      rc = 1;
    }
    System.out.flush();
    // The client leaves non-daemon threads behind when start() failed half-way.
    Runtime.getRuntime().halt(rc);
  }

  private static int consume(Args args) throws Exception {
    String topic = args.required("topic");
    int exact = args.intValue("expect", -1);
    int atLeast = args.intValue("at-least", -1);
    if ((exact < 0) == (atLeast < 0)) {
      throw new Args.UsageException("one of --expect N or --at-least N (N >= 0) is required");
    }
    boolean orMore = atLeast >= 0;
    int expect = orMore ? atLeast : exact;
    int timeoutS = args.intValue("timeout-s", 30);
    String group = args.optional("group", "inflow_verifier");

    DefaultMQPullConsumer consumer = new DefaultMQPullConsumer(group, args.aclHook());
    consumer.setNamesrvAddr(args.required("namesrv"));
    consumer.setInstanceName("verifier-" + ManagementFactory.getRuntimeMXBean().getPid());
    consumer.setMqClientApiTimeout(Args.CLIENT_API_TIMEOUT_MS);
    consumer.start();
    try {
      // JVM warm-up and the first route lookup can take seconds on a loaded machine; they get
      // their own allowance so that a short --timeout-s still bounds only the reading.
      long routeDeadline = System.nanoTime() + Math.max(timeoutS, ROUTE_TIMEOUT_S) * 1_000_000_000L;
      List<MessageQueue> queues = fetchQueues(consumer, topic, routeDeadline);
      if (queues == null) {
        return 1;
      }
      long deadline = System.nanoTime() + timeoutS * 1_000_000_000L;
      Map<MessageQueue, Long> next = new HashMap<>();
      for (MessageQueue mq : queues) {
        next.put(mq, consumer.minOffset(mq));
      }
      Set<String> seen = new HashSet<>();
      long duplicates = 0;
      String lastError = null;
      while (true) {
        boolean progress = false;
        boolean failed = false;
        for (MessageQueue mq : queues) {
          PullResult r;
          try {
            r = consumer.pull(mq, "*", next.get(mq), PULL_BATCH, 15000);
          } catch (Exception e) {
            lastError = "pull " + mq + ": " + Errors.describe(e);
            failed = true;
            continue;
          }
          switch (r.getPullStatus()) {
            case FOUND -> {
              for (MessageExt m : r.getMsgFoundList()) {
                if (seen.add(m.getMsgId())) {
                  System.out.println(toJson(topic, m));
                } else {
                  duplicates++;
                }
              }
              progress = true;
            }
            case NO_NEW_MSG, NO_MATCHED_MSG -> {}
            case OFFSET_ILLEGAL -> {
              // The next round starts from the corrected offset; not caught up yet.
              lastError = "offset illegal on " + mq + " at " + next.get(mq);
              failed = true;
            }
          }
          if (r.getNextBeginOffset() > next.get(mq)) {
            next.put(mq, r.getNextBeginOffset());
          }
        }
        if (!orMore && seen.size() > expect) {
          System.err.printf("Verifier: read %d distinct messages from %s, expected %d%n",
              seen.size(), topic, expect);
          return 1;
        }
        boolean caughtUp = !progress && !failed;
        if (caughtUp && (orMore ? seen.size() >= expect : seen.size() == expect)) {
          if (duplicates > 0) {
            System.err.printf("Verifier: note: %d duplicate deliveries (same msgId)%n", duplicates);
          }
          return 0;
        }
        if (System.nanoTime() > deadline) {
          System.err.printf("Verifier: timeout after %d s: read %d distinct messages from %s,"
              + " expected %d (%d duplicate deliveries)%s%n", timeoutS, seen.size(), topic, expect,
              duplicates, lastError == null ? "" : " (last error: " + lastError + ")");
          return 1;
        }
        if (!progress) {
          Thread.sleep(200);
        }
      }
    } finally {
      consumer.shutdown();
    }
  }

  /** The topic's queues, retried until the deadline (the route may still be propagating). */
  private static List<MessageQueue> fetchQueues(DefaultMQPullConsumer consumer, String topic,
      long deadline) throws InterruptedException {
    Exception last = null;
    while (System.nanoTime() < deadline) {
      try {
        List<MessageQueue> queues = new ArrayList<>(consumer.fetchSubscribeMessageQueues(topic));
        queues.sort(Comparator.comparing(MessageQueue::getBrokerName)
            .thenComparingInt(MessageQueue::getQueueId));
        if (!queues.isEmpty()) {
          return queues;
        }
      } catch (Exception e) {
        last = e;
      }
      Thread.sleep(300);
    }
    System.err.println("Verifier: no route for topic " + topic + " before the timeout"
        + (last == null ? "" : ": " + Errors.describe(last)));
    return null;
  }

  private static String toJson(String topic, MessageExt m) {
    StringBuilder b = new StringBuilder(256);
    b.append("{\"topic\":").append(Json.quote(topic));
    b.append(",\"queueId\":").append(m.getQueueId());
    b.append(",\"queueOffset\":").append(m.getQueueOffset());
    b.append(",\"msgId\":").append(Json.quote(m.getMsgId()));
    b.append(",\"tags\":").append(Json.quote(m.getTags()));
    b.append(",\"keys\":").append(Json.quote(m.getKeys()));
    b.append(",\"properties\":{");
    // Sorted so that two runs over the same messages print identical lines.
    Map<String, String> user = new TreeMap<>();
    if (m.getProperties() != null) {
      for (Map.Entry<String, String> e : m.getProperties().entrySet()) {
        if (!MessageConst.STRING_HASH_SET.contains(e.getKey())
            && !e.getKey().startsWith(TRANSIENT_PREFIX)) {
          user.put(e.getKey(), e.getValue());
        }
      }
    }
    boolean first = true;
    for (Map.Entry<String, String> e : user.entrySet()) {
      if (!first) {
        b.append(',');
      }
      first = false;
      b.append(Json.quote(e.getKey())).append(':').append(Json.quote(e.getValue()));
    }
    b.append("},\"bodyBase64\":");
    byte[] body = m.getBody() == null ? new byte[0] : m.getBody();
    b.append(Json.quote(new String(Base64.getEncoder().encode(body), StandardCharsets.US_ASCII)));
    b.append('}');
    return b.toString();
  }
}
