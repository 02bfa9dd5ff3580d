package dev.mayfly.provider.metaleuca;

/** The Cobbler password: only {@link #reveal()} gives it out, and only to the login call. */
final class Secret {
  private final String value;

  Secret(String value) {
    this.value = value;
  }

  String reveal() {
    return value;
  }

  @Override
  public String toString() {
    return "(secret)";
  }
}
