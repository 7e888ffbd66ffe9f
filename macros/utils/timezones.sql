{#
    Time-zone arithmetic, which every warehouse spells differently.
    local_to_utc: a wall-clock timestamp in an IANA zone -> an absolute timestamp (timestamptz).
    utc_to_local: an absolute timestamp -> the wall-clock timestamp in an IANA zone.
    is_known_timezone: true when the text names a zone the warehouse knows.
#}
{%- macro local_to_utc(local_timestamp, timezone) -%}
    {{ return(adapter.dispatch('local_to_utc', 'orders_warehouse')(local_timestamp, timezone)) }}
{%- endmacro -%}

{%- macro postgres__local_to_utc(local_timestamp, timezone) -%}
    ({{ local_timestamp }} at time zone {{ timezone }})
{%- endmacro -%}

{%- macro utc_to_local(absolute_timestamp, timezone) -%}
    {{ return(adapter.dispatch('utc_to_local', 'orders_warehouse')(absolute_timestamp, timezone)) }}
{%- endmacro -%}

{%- macro postgres__utc_to_local(absolute_timestamp, timezone) -%}
    ({{ absolute_timestamp }} at time zone {{ timezone }})
{%- endmacro -%}

{%- macro is_known_timezone(timezone) -%}
    {{ return(adapter.dispatch('is_known_timezone', 'orders_warehouse')(timezone)) }}
{%- endmacro -%}

{%- macro postgres__is_known_timezone(timezone) -%}
    ({{ timezone }} in (select pg_timezone_names.name from pg_catalog.pg_timezone_names))
{%- endmacro -%}

{#- DuckDB's ICU extension (built into its Python package) gives `at time zone` and the list of zones. #}
{%- macro duckdb__local_to_utc(local_timestamp, timezone) -%}
    ({{ local_timestamp }} at time zone {{ timezone }})
{%- endmacro -%}

{%- macro duckdb__utc_to_local(absolute_timestamp, timezone) -%}
    ({{ absolute_timestamp }} at time zone {{ timezone }})
{%- endmacro -%}

{%- macro duckdb__is_known_timezone(timezone) -%}
    ({{ timezone }} in (select timezone_names.name from pg_timezone_names() as timezone_names))
{%- endmacro -%}

{#-
    Spark: to_utc_timestamp / from_utc_timestamp move a timestamp between UTC and a zone's wall clock (the
    session time zone is UTC). They fail on a zone Java does not know, so the models only ever pass a zone
    is_known_timezone accepted (or NULL); the known zones are Java's region ids (ZoneId.getAvailableZoneIds,
    read once per query through reflect).
#}
{%- macro spark__local_to_utc(local_timestamp, timezone) -%}
    to_utc_timestamp({{ local_timestamp }}, {{ timezone }})
{%- endmacro -%}

{%- macro spark__utc_to_local(absolute_timestamp, timezone) -%}
    from_utc_timestamp({{ absolute_timestamp }}, {{ timezone }})
{%- endmacro -%}

{%- macro spark__is_known_timezone(timezone) -%}
    array_contains(
        (select split(regexp_replace(reflect('java.time.ZoneId', 'getAvailableZoneIds'), '^\\[|\\]$', ''), ', ')),
        {{ timezone }}
    )
{%- endmacro -%}
