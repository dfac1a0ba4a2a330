package dev.kiln.pipeline.cli;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Catches SIGINT and SIGTERM while a child runs and hands their names to a callback (which passes
 * them on to the child) instead of letting the JVM end: so {@code kiln device exec} ends with the
 * child's exit code, after cleaning up. {@link #close} puts the JVM's own handling back.
 *
 * <p>Uses {@code sun.misc.Signal} from the {@code jdk.unsupported} module, the JDK's supported way
 * to handle signals; it is reached by reflection only because javac reports every compile-time
 * use of it as "internal proprietary API", which {@code -Werror} turns into an error. When the
 * class is missing (another JDK), signals keep their default effect and the shutdown hook of the
 * caller still cleans up.
 */
final class SignalForwarder implements AutoCloseable {
  private static final List<String> SIGNALS = List.of("INT", "TERM");

  private final List<Object[]> previous = new ArrayList<>();

  private SignalForwarder() {}

  /** Starts forwarding SIGINT and SIGTERM to {@code target} (called with "INT" or "TERM"). */
  static SignalForwarder install(Consumer<String> target) {
    SignalForwarder forwarder = new SignalForwarder();
    try {
      Class<?> signalClass = Class.forName("sun.misc.Signal");
      Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
      Method handle = signalClass.getMethod("handle", signalClass, handlerClass);
      for (String name : SIGNALS) {
        Object signal = signalClass.getConstructor(String.class).newInstance(name);
        InvocationHandler onSignal =
            (proxy, method, args) -> {
              switch (method.getName()) {
                case "handle" -> target.accept(name);
                case "hashCode" -> {
                  return System.identityHashCode(proxy);
                }
                case "equals" -> {
                  return proxy == args[0];
                }
                case "toString" -> {
                  return "kiln SIG" + name + " forwarder";
                }
                default -> {
                  // SignalHandler has no other method.
                }
              }
              return null;
            };
        Object handler =
            Proxy.newProxyInstance(
                SignalForwarder.class.getClassLoader(), new Class<?>[] {handlerClass}, onSignal);
        Object old = handle.invoke(null, signal, handler);
        forwarder.previous.add(new Object[] {handle, signal, old});
      }
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      // No signal API: default signal handling stays (the JVM exits and runs shutdown hooks).
    }
    return forwarder;
  }

  @Override
  public void close() {
    for (Object[] entry : previous) {
      try {
        ((Method) entry[0]).invoke(null, entry[1], entry[2]);
      } catch (ReflectiveOperationException | RuntimeException e) {
        // Nothing more to restore.
      }
    }
    previous.clear();
  }
}
