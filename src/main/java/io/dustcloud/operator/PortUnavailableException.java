package io.dustcloud.operator;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;

/**
 * A listener of the operator or of dev mode could not bind its address. Carries what the port
 * was for, so the entry point can name the port and the option that changes it in one line.
 */
public final class PortUnavailableException extends RuntimeException {
  private final InetSocketAddress address;
  private final String purpose;

  /** @param purpose what listens there, for people ("health and metrics", "API server") */
  public PortUnavailableException(String purpose, InetSocketAddress address, Throwable cause) {
    super("cannot listen on " + hostAndPort(address) + " (" + purpose + "): " + cause.getMessage(), cause);
    this.address = address;
    this.purpose = purpose;
  }

  public int port() {
    return address.getPort();
  }

  public String purpose() {
    return purpose;
  }

  /** Whether another program holds the port (the usual case), rather than e.g. a privileged port. */
  public boolean inUse() {
    for (Throwable t = getCause(); t != null; t = t.getCause()) {
      String m = t.getMessage();
      if (m != null && m.contains("in use")) {
        return true;
      }
    }
    return false;
  }

  /**
   * One line for the person who started the program: {@code port 8081 is in use (health and
   * metrics); choose another with --http-port}.
   */
  public String explain(String option) {
    String what = inUse()
        ? "port " + port() + " is in use (" + purpose + ")"
        : getMessage();
    return what + "; choose another with " + option;
  }

  /** The bind failure, if {@code e} or one of its causes is one (a listener's library may wrap it). */
  public static boolean isBindFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof BindException
          || (t instanceof IOException && t.getMessage() != null && t.getMessage().contains("Address already in use"))) {
        return true;
      }
    }
    return false;
  }

  private static String hostAndPort(InetSocketAddress a) {
    String host = a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
  }
}
