-- model: staging.youtube_channels
-- key: channel_id
-- assert: not_null(title)
-- One row per channel found by search or looked up, with its uploads playlist.
with found as (
    select json_extract_string(c, '$.id.channelId') as channel_id, json_extract_string(c, '$.snippet.title') as title, null as uploads, fetched_at
    from (
        select unnest(json_extract(body, '$.items[*]')) as c, fetched_at
        from answers.youtube_channel_search
    )
    union all
    select c ->> 'id', json_extract_string(c, '$.snippet.title'), json_extract_string(c, '$.contentDetails.relatedPlaylists.uploads'), fetched_at
    from (
        select unnest(json_extract(body, '$.items[*]')) as c, fetched_at
        from answers.youtube_channels
    )
)
select
    channel_id,
    arg_max(title, fetched_at) as title,
    max(uploads) as uploads_playlist_id,
    max(fetched_at) as fetched_at
from found
where channel_id is not null
group by channel_id
