-- model: marts.chart_appearances
-- key: source, list, position, seen_at
-- assert: not_null(item_id)
-- Every place a release or track took in a chart or new-releases list, at every
-- snapshot liner took (the trending schedule takes one every six hours): the history
-- of what was popular. `canonical_id` is the release or track in liner's catalog when
-- liner has it (a followed artist's), else null; the provider's id is always there.
select
    'deezer' as source,
    e.list,
    e.position,
    e.fetched_at as seen_at,
    case when e.list like 'chart_tracks:%' then 'track' else 'release' end as entity,
    c.cluster_id as canonical_id,
    e.item_id::varchar as item_id,
    e.title,
    e.artist_name as artist
from staging.deezer_chart_entries e
left join canonical.clusters c
    on c.provider = 'deezer' and c.item_id = e.item_id::varchar
    and c.entity = case when e.list like 'chart_tracks:%' then 'track' else 'release' end
