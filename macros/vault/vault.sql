{#
    Data Vault 2.0 loading rules (models/vault/), written once. Every hash goes through the project's one
    hashing macro, generate_surrogate_key (MD5, dbt-utils' semantics).
#}

{#
    A business key as it is hashed: its text, exactly as staging keeps it. Staging normalizes every key once
    (clean_id: trimmed, case kept), so the vault counts the same keys as the 3NF and the star.
#}
{%- macro vault_business_key(column) -%}
    cast({{ column }} as {{ dbt.type_string() }})
{%- endmacro -%}

{# The hash key of a hub (one business key) or a link (the business keys of its hubs, in order). #}
{%- macro vault_hash_key(business_key_columns) -%}
    {%- set normalized = [] -%}
    {%- for column in business_key_columns -%}
        {%- do normalized.append(vault_business_key(column)) -%}
    {%- endfor -%}
    {{ generate_surrogate_key(normalized) }}
{%- endmacro -%}

{#
    A number as a satellite's hash diff reads it: a decimal of fixed scale, so that 0.0725 and 0.07250 (the
    same rate written two ways) hash alike, and PostgreSQL and DuckDB write the same text.
#}
{%- macro vault_hashable_number(column) -%}
    {{ return(adapter.dispatch('vault_hashable_number', 'orders_warehouse')(column)) }}
{%- endmacro -%}

{%- macro default__vault_hashable_number(column) -%}
    cast({{ column }} as decimal(38, 10))
{%- endmacro -%}

{#-
    Spark writes a decimal below 10^-6 as text in scientific notation (0 at scale 10 is '0E-10'): its plain text
    instead, as PostgreSQL and DuckDB write it ('0.0000000000'), so that the hashes agree.
#}
{%- macro spark__vault_hashable_number(column) -%}
    replace(format_number(cast({{ column }} as decimal(38, 10)), 10), ',', '')
{%- endmacro -%}

{# A timestamp with time zone as a satellite's hash diff reads it: its UTC wall-clock time. #}
{%- macro vault_hashable_timestamp(column) -%}
    {{ utc_to_local(column, "'UTC'") }}
{%- endmacro -%}

{# The load date of the rows a vault model inserts: the start of the dbt invocation that inserts them. #}
{%- macro vault_load_date() -%}
    {{ processed_at() }}
{%- endmacro -%}

{#
    The latest load date of the vault model being built (a date far in the past when it is empty): a model
    reads the staging rows processed after it, i.e. what the builds since its last insert touched.
#}
{%- macro vault_watermark() -%}
    {{ latest_stamp('load_date') }}
{%- endmacro -%}

{#
    The rows of `staged` (a CTE with one row per parent hash key: the state the staging layer shows now) that a
    satellite must insert: those whose hash diff differs from the parent's latest satellite row, or whose
    parent has none yet. With `restarted_versions`, also those whose effective_from is later than the latest
    row's: the attributes changed and changed back between two builds, so the same attributes hold again from
    a later start (a new version, as the snapshots record it). Nothing else is ever written, so reloading the
    same data inserts nothing.
#}
{%- macro vault_satellite_changes(staged, hash_key, restarted_versions=false) -%}
    select {{ staged }}.*
    from {{ staged }}
    {%- if is_incremental() %}
        left join (
            select
                ranked.{{ hash_key }},
                ranked.hash_diff,
                ranked.effective_from
            from (
                select
                    {{ hash_key }},
                    hash_diff,
                    effective_from,
                    row_number() over (partition by {{ hash_key }} order by load_date desc) as recency
                from {{ this }}
                where {{ hash_key }} in (select {{ staged }}.{{ hash_key }} from {{ staged }})
            ) as ranked
            where ranked.recency = 1
        ) as latest_rows
            on {{ staged }}.{{ hash_key }} = latest_rows.{{ hash_key }}
        where
            latest_rows.{{ hash_key }} is null
            or latest_rows.hash_diff is distinct from {{ staged }}.hash_diff
            {%- if restarted_versions %}
            or {{ staged }}.effective_from > latest_rows.effective_from
            {%- endif %}
    {%- endif %}
{%- endmacro -%}

{#
    The current state of a satellite: each parent's latest row (the one with its latest load date), as a query to
    put in a CTE. A join to the latest load date per parent rather than a row_number() filter: the planner
    estimates a group by from the key's distinct values, but guesses a tiny share of rows for `row_number() = 1`
    and then chooses nested loops (a reconciliation over a million orders ran for many minutes).
    With `lookup`, for a query that joins the current rows to a few keys: each row of which no later row of the
    same parent exists. PostgreSQL flattens that into the query, so the join's keys reach the satellite's
    (hash key, load date) index, parent by parent; it cannot carry them into the grouped subquery above, which
    reads the whole satellite.
#}
{%- macro vault_current_rows(satellite, hash_key, lookup=false) -%}
    {%- if lookup %}
        select satellite_rows.*
        from {{ satellite }} as satellite_rows
        where not exists (
            select 1 from {{ satellite }} as later_rows
            where
                later_rows.{{ hash_key }} = satellite_rows.{{ hash_key }}
                and later_rows.load_date > satellite_rows.load_date
        )
    {%- else %}
        select satellite_rows.*
        from {{ satellite }} as satellite_rows
        inner join (
            select
                {{ hash_key }},
                max(load_date) as load_date
            from {{ satellite }}
            group by {{ hash_key }}
        ) as latest_loads
            on
                satellite_rows.{{ hash_key }} = latest_loads.{{ hash_key }}
                and satellite_rows.load_date = latest_loads.load_date
    {%- endif %}
{%- endmacro -%}
