package inflow.tools;

/** One-line descriptions of client exceptions, causes included (the broker's reason is often
 * only in the cause, e.g. "CODE: 16 DESC: check signature failed"). */
final class Errors {
  private Errors() {}

  static String describe(Throwable t) {
    StringBuilder b = new StringBuilder();
    for (Throwable c = t; c != null && b.length() < 2000; c = c.getCause()) {
      if (b.length() > 0) {
        b.append("; caused by: ");
      }
      b.append(c.toString().replace('\n', ' '));
      if (c.getCause() == c) {
        break;
      }
    }
    return b.toString();
  }
}
