package dev.mayfly.deploy;

import dev.mayfly.provider.Wait;
import java.time.Duration;

/**
 * Hears what each host is doing, so the command line can show it as it happens; long waits
 * (instances running, ssh port open, installed, healthy) come with a heartbeat as a {@link
 * Wait.Watcher}.
 */
public interface Progress extends Wait.Watcher {
  Progress SILENT =
      new Progress() {
        @Override
        public void started(String host, String step) {}

        @Override
        public void finished(String host, String step, Duration elapsed, String failure) {}
      };

  void started(String host, String step);

  /**
   * @param failure null when the step succeeded
   */
  void finished(String host, String step, Duration elapsed, String failure);
}
