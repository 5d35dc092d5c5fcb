package inflow.tools;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.rocketmq.acl.common.AclClientRPCHook;
import org.apache.rocketmq.acl.common.SessionCredentials;
import org.apache.rocketmq.remoting.RPCHook;

/** "--name value" command-line options shared by the tools; unknown options are an error. */
final class Args {
  /**
   * Timeout of the client's own requests (route lookups, heartbeats, admin calls); the
   * client's default of 3 s is too short when a loaded 2-core CI machine stalls the JVMs.
   */
  static final int CLIENT_API_TIMEOUT_MS = 15000;

  private final Map<String, String> values = new HashMap<>();
  private final List<String> positional;

  private Args(List<String> positional) {
    this.positional = positional;
  }

  /** Parses argv[from..]; every option must be one of {@code known} and carry a value. */
  static Args parse(String[] argv, int from, String... known) {
    Args args = new Args(new java.util.ArrayList<>());
    java.util.Set<String> allowed = java.util.Set.of(known);
    for (int i = from; i < argv.length; i++) {
      String a = argv[i];
      if (!a.startsWith("--")) {
        args.positional.add(a);
        continue;
      }
      String name = a.substring(2);
      if (!allowed.contains(name)) {
        throw new UsageException("unknown option " + a + " (known: --" + String.join(" --", known) + ")");
      }
      if (i + 1 >= argv.length) {
        throw new UsageException("option " + a + " needs a value");
      }
      args.values.put(name, argv[++i]);
    }
    return args;
  }

  String required(String name) {
    String v = values.get(name);
    if (v == null || v.isEmpty()) {
      throw new UsageException("missing required option --" + name);
    }
    return v;
  }

  String optional(String name, String fallback) {
    return values.getOrDefault(name, fallback);
  }

  int intValue(String name, int fallback) {
    String v = values.get(name);
    if (v == null) {
      return fallback;
    }
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new UsageException("option --" + name + " must be an integer, got '" + v + "'");
    }
  }

  List<String> positional() {
    return positional;
  }

  /** The ACL signing hook when --access-key/--secret-key are given, else null (no ACL). */
  RPCHook aclHook() {
    String ak = values.get("access-key");
    String sk = values.get("secret-key");
    if (ak == null && sk == null) {
      return null;
    }
    if (ak == null || sk == null) {
      throw new UsageException("--access-key and --secret-key go together");
    }
    return new AclClientRPCHook(new SessionCredentials(ak, sk));
  }

  static final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }
}
