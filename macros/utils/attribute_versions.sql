{#
    The latest state of an entity whose attributes repeat on every order (a customer, a store), and when that
    state began. Reads `relation` (one row per winning order, with submitted_at and order_id); returns its
    columns plus:
      recency          1 on the entity's most recent order (latest submitted_at, ties to the larger order_id);
      attributes_since when the current state began: the submission time of the first order of the latest run
                       of orders showing exactly these attributes, as UTC wall-clock time (the type dbt's
                       snapshots record validity in).
    Keep the rows with recency = 1.
#}
{%- macro latest_attribute_versions(relation, entity_key, attribute_columns) -%}
    select
        versions.*,
        {{ utc_to_local(
            'max(case when versions.starts_version then versions.submitted_at end) over (partition by versions.'
            ~ entity_key ~ ')',
            "'UTC'"
        ) }} as attributes_since
    from (
        select
            attribute_changes.*,
            coalesce(
                attribute_changes.attributes_hash != lag(attribute_changes.attributes_hash) over (
                    partition by attribute_changes.{{ entity_key }}
                    order by attribute_changes.submitted_at, attribute_changes.order_id
                ),
                true
            ) as starts_version,
            row_number() over (
                partition by attribute_changes.{{ entity_key }}
                order by attribute_changes.submitted_at desc, attribute_changes.order_id desc
            ) as recency
        from (
            select
                entity_orders.*,
                {{ generate_surrogate_key(attribute_columns) }} as attributes_hash
            from {{ relation }} as entity_orders
        ) as attribute_changes
    ) as versions
{%- endmacro -%}

{#
    The latest state of every entity whose attributes repeat on the lines of `lines` (a relation: stores on their
    orders, items on their order lines), built to be kept as an incremental table that an incremental run extends
    instead of recomputing. Emits CTEs (the last is `entity_states`, one row per entity) to place in a model's
    WITH list. `lines` has one row per current line: the entity key, order_id, submission_id (and
    `line_number_column` when an order can show the entity on several lines: the last one counts), submitted_at,
    processed_at, source_file_name and the attribute columns. Lines are ordered by submitted_at, then order_id.

    The state: the latest line's attributes (and their attributes_hash and source_file_name), attributes_since
    (when the latest run of lines showing exactly these attributes began, UTC wall-clock time, as
    latest_attribute_versions computes it), and three anchors, each a line's key (order_id, submission_id and the
    line number): latest_* (the latest line), version_start_* (the first line of that run) and
    previous_version_end_* (the line before it; NULL when the run is the entity's whole history).

    On an incremental run, an entity continues from its last state when its three anchors are still current lines
    (a submission never changes, so an anchor still there is the same line) and each of its lines processed since
    the last run is on an anchor's order, after its latest line, or inside its latest run with the same attributes.
    Those changes cannot move the state's earlier part: the run sequences the entity's latest line, carrying the
    state, and the new lines after it. Any other touched entity (a new one, one whose anchor was superseded or
    lost, one with a line back-dated before its latest run's start) is sequenced again over all its lines. A
    removed line inside the latest run or before its previous version changes nothing the state holds.
#}
{%- macro latest_attribute_state(lines, entity_key, attribute_columns, line_number_column=none) -%}
    {%- set line_ids = ['order_id', 'submission_id'] + ([line_number_column] if line_number_column else []) -%}
    {%- set line_columns = [entity_key] + line_ids + ['submitted_at', 'source_file_name'] + attribute_columns -%}
    {%- set anchors = ['latest', 'version_start', 'previous_version_end'] %}
    {%- if is_incremental() %}
        changed_lines as (

            select
                {{ line_columns | join(', ') }},
                {{ generate_surrogate_key(attribute_columns) }} as attributes_hash
            from {{ lines }}
            where processed_at > {{ processed_at_watermark() }}

        ),

        anchor_keys as (

            {% for anchor in anchors -%}
                select
                    {{ entity_key }},
                    '{{ anchor }}' as anchor,
                    {%- for column in line_ids %}
                        {{ anchor }}_{{ column }} as {{ column }}{{ ',' if not loop.last }}
                    {%- endfor %}
                from {{ this }}
                where {{ anchor }}_order_id is not null
                {{ 'union all' if not loop.last }}
            {% endfor %}

        ),

        anchor_lines as (

            -- the anchors that are still current lines, with their position (NULL when gone): a correlated lookup
            -- per anchor, which reaches the lines' indexes through a view that a join would scan whole
            select
                anchor_keys.*,
                (
                    select max(current_lines.submitted_at) from {{ lines }} as current_lines
                    where
                    {%- for column in [entity_key] + line_ids %}
                        {{ 'and ' if not loop.first }}current_lines.{{ column }} = anchor_keys.{{ column }}
                    {%- endfor %}
                ) as submitted_at
            from anchor_keys

        ),

        previous_states as (

            select
                states.*,
                latest_lines.submitted_at as latest_submitted_at,
                version_starts.submitted_at as version_start_submitted_at,
                latest_lines.{{ entity_key }} is not null
                and version_starts.{{ entity_key }} is not null
                and (
                    states.previous_version_end_order_id is null
                    or previous_version_ends.{{ entity_key }} is not null
                ) as anchors_are_current
            from {{ this }} as states
            left join anchor_lines as latest_lines
                on
                    states.{{ entity_key }} = latest_lines.{{ entity_key }}
                    and latest_lines.anchor = 'latest'
                    and latest_lines.submitted_at is not null
            left join anchor_lines as version_starts
                on
                    states.{{ entity_key }} = version_starts.{{ entity_key }}
                    and version_starts.anchor = 'version_start'
                    and version_starts.submitted_at is not null
            left join anchor_lines as previous_version_ends
                on
                    states.{{ entity_key }} = previous_version_ends.{{ entity_key }}
                    and previous_version_ends.anchor = 'previous_version_end'
                    and previous_version_ends.submitted_at is not null

        ),

        continued_states as (

            -- the entities the changed lines extend
            select previous_states.* from previous_states
            where
                previous_states.anchors_are_current
                and not exists (
                    select 1 from changed_lines
                    where
                        changed_lines.{{ entity_key }} = previous_states.{{ entity_key }}
                        and changed_lines.order_id != previous_states.latest_order_id
                        and changed_lines.order_id != previous_states.version_start_order_id
                        and changed_lines.order_id != coalesce(previous_states.previous_version_end_order_id, '')
                        and not {{ _line_is_after('changed_lines', 'previous_states.latest') }}
                        and not (
                            changed_lines.attributes_hash = previous_states.attributes_hash
                            and {{ _line_is_after('changed_lines', 'previous_states.version_start') }}
                        )
                )

        ),

        resequenced_entities as (

            -- the touched entities that cannot continue: sequenced again over all their lines
            select changed_lines.{{ entity_key }} from changed_lines
            where not exists (
                select 1 from continued_states
                where continued_states.{{ entity_key }} = changed_lines.{{ entity_key }}
            )
            union
            select previous_states.{{ entity_key }} from previous_states
            where not previous_states.anchors_are_current

        ),
    {%- endif %}

    entity_lines as (

        {%- if is_incremental() %}
            -- a continued entity's latest line, which carries its state: the state holds the line's columns
            select
                {%- for column in line_columns %}
                    {%- if column in line_ids %}
                        latest_{{ column }} as {{ column }},
                    {%- elif column == 'submitted_at' %}
                        latest_submitted_at as submitted_at,
                    {%- else %}
                        {{ column }},
                    {%- endif %}
                {%- endfor %}
                true as carries_state
            from continued_states
            union all
            select
                {%- for column in line_columns %}
                    changed_lines.{{ column }},
                {%- endfor %}
                false as carries_state
            from changed_lines
            inner join continued_states
                on changed_lines.{{ entity_key }} = continued_states.{{ entity_key }}
            where {{ _line_is_after('changed_lines', 'continued_states.latest') }}
            union all
            -- every line of a resequenced entity
            select
                {%- for column in line_columns %}
                    current_lines.{{ column }},
                {%- endfor %}
                false as carries_state
            from {{ lines }} as current_lines
            where exists (
                select 1 from resequenced_entities
                where resequenced_entities.{{ entity_key }} = current_lines.{{ entity_key }}
            )
        {%- else %}
            select
                {%- for column in line_columns %}
                    {{ column }},
                {%- endfor %}
                false as carries_state
            from {{ lines }}
        {%- endif %}

    ),

    entity_order_lines as (

        -- one line per entity and order{{ ': its last' if line_number_column }}
        select
            entity_lines.*,
            {{ generate_surrogate_key(attribute_columns) }} as attributes_hash
        {%- if line_number_column %}
            from (
                select
                    entity_lines.*,
                    row_number() over (
                        partition by entity_lines.{{ entity_key }}, entity_lines.order_id
                        order by entity_lines.{{ line_number_column }} desc
                    ) as order_line_recency
                from entity_lines
            ) as entity_lines
            where entity_lines.order_line_recency = 1
        {%- else %}
            from entity_lines
        {%- endif %}

    ),

    sequenced_lines as (

        select
            entity_order_lines.*,
            lag(entity_order_lines.attributes_hash) over entity_history as previous_attributes_hash,
            {%- for column in line_ids %}
                lag(entity_order_lines.{{ column }}) over entity_history as previous_{{ column }},
            {%- endfor %}
            row_number() over (
                partition by entity_order_lines.{{ entity_key }}
                order by entity_order_lines.submitted_at desc, entity_order_lines.order_id desc
            ) as recency
        from entity_order_lines
        window entity_history as (
            partition by entity_order_lines.{{ entity_key }}
            order by entity_order_lines.submitted_at, entity_order_lines.order_id
        )

    ),

    version_starts as (

        -- the first line of each run of lines showing the same attributes (a carried line starts none)
        select
            sequenced_lines.*,
            row_number() over (
                partition by sequenced_lines.{{ entity_key }}
                order by sequenced_lines.submitted_at desc, sequenced_lines.order_id desc
            ) as start_recency
        from sequenced_lines
        where
            not sequenced_lines.carries_state
            and (
                sequenced_lines.previous_attributes_hash is null
                or sequenced_lines.previous_attributes_hash != sequenced_lines.attributes_hash
            )

    ),

    entity_states as (

        select
            latest_lines.{{ entity_key }},
            {%- for column in attribute_columns %}
                latest_lines.{{ column }},
            {%- endfor %}
            latest_lines.attributes_hash,
            latest_lines.source_file_name,
            {%- if is_incremental() %}
                coalesce(
                    {{ utc_to_local('latest_starts.submitted_at', "'UTC'") }}, carried_states.attributes_since
                ) as attributes_since,
            {%- else %}
                {{ utc_to_local('latest_starts.submitted_at', "'UTC'") }} as attributes_since,
            {%- endif %}
            {%- for column in line_ids %}
                latest_lines.{{ column }} as latest_{{ column }},
            {%- endfor %}
            {%- for column in line_ids %}
                {%- if is_incremental() %}
                    case
                        when latest_starts.{{ entity_key }} is null then carried_states.version_start_{{ column }}
                        else latest_starts.{{ column }}
                    end as version_start_{{ column }},
                    case
                        when latest_starts.{{ entity_key }} is null
                            then carried_states.previous_version_end_{{ column }}
                        else latest_starts.previous_{{ column }}
                    end as previous_version_end_{{ column }}{{ ',' if not loop.last }}
                {%- else %}
                    latest_starts.{{ column }} as version_start_{{ column }},
                    latest_starts.previous_{{ column }} as previous_version_end_{{ column }}{{ ',' if not loop.last }}
                {%- endif %}
            {%- endfor %}
        from sequenced_lines as latest_lines
        left join version_starts as latest_starts
            on
                latest_lines.{{ entity_key }} = latest_starts.{{ entity_key }}
                and latest_starts.start_recency = 1
        {%- if is_incremental() %}
            left join continued_states as carried_states
                on latest_lines.{{ entity_key }} = carried_states.{{ entity_key }}
        {%- endif %}
        where latest_lines.recency = 1

    )
{%- endmacro -%}

{# `line` (a relation alias) comes after the anchor `anchor` (e.g. previous_states.latest) in the lines' order. #}
{%- macro _line_is_after(line, anchor) -%}
    (
        {{ line }}.submitted_at > {{ anchor }}_submitted_at
        or ({{ line }}.submitted_at = {{ anchor }}_submitted_at and {{ line }}.order_id > {{ anchor }}_order_id)
    )
{%- endmacro -%}
