package io.github.flinksagemaker.connector.metrics;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.metrics.MetricGroup;

/**
 * The group every metric of the connector is registered in, under its operator's (or reader's, or
 * function's) own group, so that dashboards find them all under one name.
 */
@PublicEvolving
public final class ConnectorMetricGroup {
    /** The group's name: metrics appear as {@code <operator scope>.sagemakerAsync.<metric>}. */
    public static final String NAME = "sagemakerAsync";

    private ConnectorMetricGroup() {}

    /** The connector's group under {@code parent}. */
    public static MetricGroup in(MetricGroup parent) {
        return parent.addGroup(NAME);
    }
}
