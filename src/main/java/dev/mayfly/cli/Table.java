package dev.mayfly.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * Left-aligned columns separated by two spaces, no borders: greppable and readable in any terminal.
 * Small enough that a table library would bring more than it saves.
 */
final class Table {
  private final List<String[]> rows = new ArrayList<>();

  Table(String... header) {
    rows.add(header);
  }

  Table row(Object... cells) {
    String[] text = new String[cells.length];
    for (int i = 0; i < cells.length; i++) {
      text[i] = cells[i] == null ? "-" : Views.printable(cells[i]);
    }
    rows.add(text);
    return this;
  }

  void print(PrintWriter out) {
    int columns = rows.get(0).length;
    int[] width = new int[columns];
    for (String[] row : rows) {
      for (int c = 0; c < columns; c++) {
        width[c] = Math.max(width[c], row[c].length());
      }
    }
    // one write: println on the auto-flushing stdout is a system call per row
    StringBuilder text = new StringBuilder();
    String newline = System.lineSeparator();
    for (String[] row : rows) {
      for (int c = 0; c < columns; c++) {
        text.append(row[c]);
        if (c < columns - 1) {
          text.append(" ".repeat(width[c] - row[c].length() + 2));
        }
      }
      text.append(newline);
    }
    out.write(text.toString());
    out.flush();
  }
}
