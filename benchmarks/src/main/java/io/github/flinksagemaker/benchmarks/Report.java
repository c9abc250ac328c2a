package io.github.flinksagemaker.benchmarks;

import java.util.Locale;

/**
 * The Markdown that {@link BenchmarkRunner} writes to docs/benchmarks.md, built section by section.
 */
final class Report {
    private final StringBuilder markdown = new StringBuilder();

    Report line(String text) {
        markdown.append(text).append('\n');
        return this;
    }

    Report append(Report section) {
        markdown.append(section.markdown);
        return this;
    }

    Report blank() {
        return line("");
    }

    Report heading(String title) {
        return blank().line("## " + title).blank();
    }

    Report row(Object... cells) {
        StringBuilder row = new StringBuilder("|");
        for (Object cell : cells) {
            row.append(' ').append(cell).append(" |");
        }
        return line(row.toString());
    }

    Report header(String... cells) {
        row((Object[]) cells);
        StringBuilder rule = new StringBuilder("|");
        for (int i = 0; i < cells.length; i++) {
            rule.append("---|");
        }
        return line(rule.toString());
    }

    static String number(double value, int decimals) {
        return String.format(Locale.ROOT, "%,." + decimals + "f", value);
    }

    static String ratio(double value) {
        return String.format(Locale.ROOT, "%.2f×", value);
    }

    /** Median with the range over runs: "1,234 (1,100–1,300)". */
    static String median(Samples perRun, int decimals) {
        return number(perRun.median(), decimals)
                + " ("
                + number(perRun.min(), decimals)
                + "–"
                + number(perRun.max(), decimals)
                + ")";
    }

    @Override
    public String toString() {
        return markdown.toString();
    }
}
