package inflow.tools;

import java.util.HashMap;
import java.util.Map;
import org.apache.rocketmq.common.TopicConfig;
import org.apache.rocketmq.common.constant.PermName;
import org.apache.rocketmq.remoting.protocol.body.ClusterInfo;
import org.apache.rocketmq.remoting.protocol.route.BrokerData;
import org.apache.rocketmq.remoting.protocol.route.QueueData;
import org.apache.rocketmq.remoting.protocol.route.TopicRouteData;
import org.apache.rocketmq.tools.admin.DefaultMQAdminExt;

/**
 * Broker administration for scripts/rocketmq, through the official admin client (mqadmin's
 * library), which unlike mqadmin reports failures through its exit code.
 *
 * <pre>
 * Admin wait-ready   --namesrv HOST:PORT [--timeout-s 90] [--access-key AK --secret-key SK]
 * Admin create-topic --namesrv HOST:PORT --topic T [--queues 4] [--attr message.type=FIFO]
 *                    [--timeout-s 30] [--access-key AK --secret-key SK]
 * </pre>
 *
 * wait-ready succeeds once a master broker is registered, accepts a topic creation and the
 * name server serves that topic's route: the point at which a producer can send. Both commands
 * print the broker address(es) and exit 0, or print the last error to stderr and exit 1.
 */
public final class Admin {
  private static final String READY_TOPIC = "inflow_ready";

  private Admin() {}

  public static void main(String[] argv) {
    int rc;
    try {
      if (argv.length < 1) {
        throw new Args.UsageException("usage: Admin wait-ready|create-topic --namesrv HOST:PORT ...");
      }
      Args args = Args.parse(argv, 1, "namesrv", "topic", "queues", "attr", "timeout-s",
          "access-key", "secret-key");
      rc = switch (argv[0]) {
        case "wait-ready" -> createTopic(args, READY_TOPIC, 1, null, args.intValue("timeout-s", 90));
        case "create-topic" -> createTopic(args, args.required("topic"), args.intValue("queues", 4),
            args.optional("attr", null), args.intValue("timeout-s", 30));
        default -> throw new Args.UsageException("unknown command " + argv[0]);
      };
    } catch (Args.UsageException e) {
      System.err.println("Admin: " + e.getMessage());
      rc = 2;
    } catch (Exception e) {
      System.err.println("Admin: failed: " + Errors.describe(e));
      rc = 1;
    }
    System.out.flush();
    Runtime.getRuntime().halt(rc);
  }

  private static int createTopic(Args args, String topic, int queues, String attr, int timeoutS)
      throws Exception {
    if (queues < 1 || queues > 1024) {
      throw new Args.UsageException("--queues must be within 1..1024, got " + queues);
    }
    Map<String, String> attributes = new HashMap<>();
    if (attr != null) {
      int eq = attr.indexOf('=');
      if (eq <= 0) {
        throw new Args.UsageException("--attr must be name=value, got '" + attr + "'");
      }
      attributes.put("+" + attr.substring(0, eq), attr.substring(eq + 1));
    }
    long deadline = System.nanoTime() + timeoutS * 1_000_000_000L;
    DefaultMQAdminExt admin = new DefaultMQAdminExt(args.aclHook(), Args.CLIENT_API_TIMEOUT_MS);
    admin.setMqClientApiTimeout(Args.CLIENT_API_TIMEOUT_MS);
    admin.setNamesrvAddr(args.required("namesrv"));
    admin.setInstanceName("inflow-admin-" + ProcessHandle.current().pid());
    String lastError = "no attempt";
    boolean started = false;
    try {
      while (System.nanoTime() < deadline) {
        try {
          if (!started) {
            admin.start();
            started = true;
          }
          String brokers = createOnEveryMaster(admin, topic, queues, attributes);
          if (brokers != null && routeReady(admin, topic, queues)) {
            System.out.println("topic " + topic + " ready on " + brokers);
            return 0;
          }
          lastError = brokers == null ? "no master broker registered with the name server"
                                      : "route of " + topic + " not yet served";
        } catch (Exception e) {
          lastError = Errors.describe(e);
        }
        Thread.sleep(300);
      }
    } finally {
      if (started) {
        admin.shutdown();
      }
    }
    System.err.println("Admin: topic " + topic + " not ready after " + timeoutS + " s: " + lastError);
    return 1;
  }

  /** Creates the topic on every master; returns their addresses, or null if there is none. */
  private static String createOnEveryMaster(DefaultMQAdminExt admin, String topic, int queues,
      Map<String, String> attributes) throws Exception {
    ClusterInfo cluster = admin.examineBrokerClusterInfo();
    StringBuilder addrs = new StringBuilder();
    for (BrokerData broker : cluster.getBrokerAddrTable().values()) {
      String master = broker.getBrokerAddrs().get(0L);
      if (master == null) {
        continue;
      }
      TopicConfig config = new TopicConfig(topic, queues, queues, PermName.PERM_READ | PermName.PERM_WRITE);
      if (!attributes.isEmpty()) {
        config.setAttributes(attributes);
      }
      admin.createAndUpdateTopicConfig(master, config);
      addrs.append(addrs.length() == 0 ? "" : ",").append(master);
    }
    return addrs.length() == 0 ? null : addrs.toString();
  }

  private static boolean routeReady(DefaultMQAdminExt admin, String topic, int queues)
      throws Exception {
    TopicRouteData route = admin.examineTopicRouteInfo(topic);
    if (route == null || route.getQueueDatas() == null || route.getQueueDatas().isEmpty()) {
      return false;
    }
    for (QueueData q : route.getQueueDatas()) {
      if (q.getWriteQueueNums() != queues) {
        return false;
      }
    }
    return true;
  }
}
