{#
    Incremental builds. Every incremental model stamps the rows it (re)computes with processed_at, the
    start time of the dbt invocation that computed them. A model downstream processes the rows of its
    parent stamped after its own latest stamp ("the watermark"): what the new export touched. A failed
    run leaves the watermark where it was, so the next run picks up everything it missed.
#}

{# The start of this dbt invocation, as a timestamp literal (UTC). #}
{%- macro processed_at() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as {{ dbt.type_timestamp() }})
{%- endmacro -%}

{# The latest processed_at of the model being built (a timestamp far in the past when it is empty). #}
{%- macro processed_at_watermark() -%}
    (
        select coalesce(max(processed_at), cast('1900-01-01' as {{ dbt.type_timestamp() }}))
        from {{ this }}
    )
{%- endmacro -%}
