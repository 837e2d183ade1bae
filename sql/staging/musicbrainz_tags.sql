-- model: staging.musicbrainz_tags
-- key: entity, entity_id, tag
-- Folksonomy tags and their vote counts on releases, release groups and artists.
with tagged as (
    select 'release' as entity, release_id as entity_id, t.name as tag, t.count as votes
    from (select release_id, unnest(r.tags) as t from staging.musicbrainz_release_parsed)
    union all
    select 'release_group', release_group_id, t ->> 'name', t ->> 'count'
    from (select release_group_id, unnest(json_extract(g, '$.tags[*]')) as t from staging.musicbrainz_release_group_json)
    union all
    select 'artist', id, t ->> 'name', t ->> 'count'
    from (select body ->> 'id' as id, unnest(json_extract(body, '$.tags[*]')) as t from answers.musicbrainz_artists)
)
select entity, entity_id, tag, max(try_cast(votes as integer)) as votes
from tagged
where tag is not null
group by all
